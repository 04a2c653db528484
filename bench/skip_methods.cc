// Which ptrace requests make "skip the call and return N" cheapest?
// Runs the getppid loop under a bare event loop built on SyscallAccess, once
// per SkipMethod (and read path), and prints ns per traced call. Every
// configuration runs in this one process, so the ratios compare like with
// like. Usage: skip_methods [CALLS] [REPEAT]
#include <linux/ptrace.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "arch/kernel_probe.h"
#include "arch/ptrace.h"
#include "arch/syscall_access.h"
#include "bench/runfiles.h"
#include "filters/compiler.h"
#include "filters/parser.h"
#include "filters/resolve.h"
#include "tracee/launcher.h"

namespace sysgate {
namespace {

double RunOnce(const std::string& program, const SyscallAccess& access,
               const BpfProgram& filter, long calls) {
  int out[2];
  if (pipe(out) != 0) return -1;
  int saved = dup(1);
  dup2(out[1], 1);
  Launcher launcher;
  absl::StatusOr<pid_t> pid = launcher.Start(
      program, {program, std::to_string(calls)}, {}, filter,
      PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
  dup2(saved, 1);
  close(saved);
  close(out[1]);
  if (!pid.ok()) return -1;
  int status;
  while (waitpid(*pid, &status, __WALL) == *pid && WIFSTOPPED(status)) {
    int sig = WSTOPSIG(status);
    if ((status >> 16) == PTRACE_EVENT_SECCOMP) {
      absl::StatusOr<SyscallStop> stop = access.ReadSeccompStop(*pid);
      if (stop.ok()) access.Skip(*stop, 42).IgnoreError();
      sig = 0;
    } else if ((status >> 16) != 0 || sig == SIGTRAP) {
      sig = 0;
    }
    ptrace::Cont(*pid, sig).IgnoreError();
  }
  char buf[256] = {};
  ssize_t n = read(out[0], buf, sizeof(buf) - 1);
  close(out[0]);
  double ns = -1;
  if (n > 0 && sscanf(buf, "ns_per_call %lf", &ns) != 1) ns = -1;
  return ns;
}

int Main(int argc, char** argv) {
  bench::Runfiles runfiles(argv[0]);
  long calls = argc > 1 ? atol(argv[1]) : 50000;
  int repeat = argc > 2 ? atoi(argv[2]) : 5;
  Policy policy = *ParsePolicy("log getppid\n", "bench");
  std::vector<AbiPolicy> resolved;
  for (AbiId abi : HostAbis()) resolved.push_back(*ResolvePolicy(policy, abi));
  FilterSpec spec;
  for (const AbiPolicy& p : resolved) spec.abis.push_back(&p);
  spec.rule_returns = {SECCOMP_RET_TRACE};
  BpfProgram filter = *CompileFilter(spec);
  KernelFeatures kernel = ProbeKernelFeatures();

  struct Config {
    const char* name;
    KernelFeatures features;
    SkipMethod skip;
  };
  std::vector<Config> configs = {
      {"GET_SYSCALL_INFO + 2 x POKEUSER (sysgate's choice)", kernel,
       SkipMethod::kSingleRegisters},
      {"GET_SYSCALL_INFO + SET_SYSCALL_INFO + POKEUSER", kernel,
       SkipMethod::kSyscallInfoAndReturn},
      {"GET_SYSCALL_INFO + GETREGSET + SETREGSET", kernel,
       SkipMethod::kRegisterSet},
      {"GETREGSET + GETEVENTMSG read, 2 x POKEUSER",
       KernelFeatures{false, false}, SkipMethod::kSingleRegisters},
  };
  printf(
      "skip-and-return-N cost per traced getppid, %ld calls x %d runs, tracer "
      "and tracee on CPU 0\n",
      calls, repeat);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  sched_setaffinity(0, sizeof(one), &one);  // Children inherit it.
  double reference = 0;
  for (const Config& c : configs) {
    if (c.skip == SkipMethod::kSyscallInfoAndReturn &&
        !kernel.set_syscall_info) {
      printf("%-52s  skipped: no PTRACE_SET_SYSCALL_INFO\n", c.name);
      continue;
    }
    SyscallAccess access(c.features, c.skip);
    std::vector<double> runs;
    for (int r = 0; r < repeat; ++r)
      runs.push_back(
          RunOnce(runfiles.Path("bench/getppid_loop"), access, filter, calls));
    std::sort(runs.begin(), runs.end());
    double median = runs[runs.size() / 2];
    if (reference == 0) reference = median;
    printf("%-52s  median %8.0f ns  min %8.0f  max %8.0f  ratio %.2f\n", c.name,
           median, runs.front(), runs.back(), median / reference);
  }
  return 0;
}

}  // namespace
}  // namespace sysgate

int main(int argc, char** argv) { return sysgate::Main(argc, argv); }
