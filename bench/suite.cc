// sysgate's benchmark suite for the core (issue 2): every configuration
// measured in this one run, repeated, with median/min/max and the ratio to
// its reference. Times come from inside the workload (ns per call), so
// start-up is excluded.
//
//   bazel run -c opt //bench:suite -- [CALLS] [REPEAT]
//
// Groups:
//   untraced getppid: native (reference), the kernel's floor for any filter
//     (bench/allow_all.c), sysgate's built-in default policy,
//     a 300-rule policy, strace -f --seccomp-bpf tracing only openat;
//   emulated getppid (returns 42): the minimal C tracer (reference),
//     sysgate emulate(42), strace -f --seccomp-bpf inject retval=42;
//   open+read+close of one file: native (reference), sysgate's broker,
//     sysgate `log openat`, strace -f --seccomp-bpf -e trace=openat, and
//     proot (Debian's, whose seccomp acceleration is disabled: it stops on
//     every call).
// Each group runs pinned to one CPU (tracer and tracee together) and
// unpinned: on this VM a cross-CPU wake-up costs more than everything else.
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "arch/abi.h"
#include "bench/runfiles.h"

namespace sysgate {
namespace {

std::string TempPolicy(const std::string& name, const std::string& text) {
  std::string path = absl::StrCat("/tmp/sysgate-bench-", getpid(), "-", name);
  std::ofstream(path) << text;
  return path;
}

// Runs argv with stdout captured; returns the workload's ns per call.
double Measure(const std::vector<std::string>& argv, bool pinned) {
  int out[2];
  if (pipe(out) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    if (pinned) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(0, &one);
      sched_setaffinity(0, sizeof(one), &one);
    }
    dup2(out[1], 1);
    close(out[0]);
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof(buf))) > 0) text.append(buf, n);
  close(out[0]);
  int status;
  waitpid(pid, &status, 0);
  double ns = -1;
  size_t at = text.find("ns_per_call ");
  if (at != std::string::npos) ns = atof(text.c_str() + at + 12);
  return ns;
}

struct Config {
  std::string name;
  std::vector<std::string> argv;
};

void RunGroup(const std::string& title, const std::vector<Config>& configs,
              int repeat, bool pinned) {
  printf("\n%s (%s)\n", title.c_str(), pinned ? "pinned to CPU 0" : "unpinned");
  printf("  %-44s %10s %10s %10s %8s\n", "configuration", "median ns", "min",
         "max", "ratio");
  double reference = 0;
  for (const Config& c : configs) {
    std::vector<double> runs;
    for (int r = 0; r < repeat; ++r) runs.push_back(Measure(c.argv, pinned));
    std::sort(runs.begin(), runs.end());
    double median = runs[runs.size() / 2];
    if (median <= 0) {
      printf("  %-44s %10s\n", c.name.c_str(), "failed");
      continue;
    }
    if (reference == 0) reference = median;
    printf("  %-44s %10.1f %10.1f %10.1f %8.2f\n", c.name.c_str(), median,
           runs.front(), runs.back(), median / reference);
  }
}

std::string ThreeHundredRules() {
  // 300 conditional denials that never match (arg0 == 0x5ca1ab1e), on calls
  // other than the workload's: getppid's own path stays unconditional.
  std::string text = "default allow\n";
  int n = 0;
  for (const SyscallDesc& d : GetAbi(AbiId::kX86_64).syscalls()) {
    if (d.name == "getppid" || n == 300) continue;
    absl::StrAppend(&text, "errno(EPERM) ", d.name, " if arg0 == 0x5ca1ab1e\n");
    ++n;
  }
  return text;
}

int Main(int argc, char** argv) {
  bench::Runfiles runfiles(argv[0]);
  std::string calls = argc > 1 ? argv[1] : "200000";
  std::string traced_calls = argc > 1 ? argv[1] : "20000";
  int repeat = argc > 2 ? atoi(argv[2]) : 5;
  std::string sysgate = runfiles.Path("supervisor/sysgate");
  std::string loop = runfiles.Path("bench/getppid_loop");
  std::string floor = runfiles.Path("bench/min_tracer");
  std::string rules300 = TempPolicy("300.policy", ThreeHundredRules());
  std::string emulate = TempPolicy("emulate.policy", "emulate(42) getppid\n");
  bool have_strace = access("/usr/bin/strace", X_OK) == 0;
  bool have_proot = access("/usr/bin/proot", X_OK) == 0;
  std::string opens = argc > 1 ? argv[1] : "20000";
  std::string open_loop = runfiles.Path("bench/open_loop");
  std::string target = TempPolicy("open-target", "0123456789\n");
  std::string broker =
      TempPolicy("broker.policy",
                 "broker read /usr/**, /lib/**, /lib64/**, /etc/ld.so.cache, "
                 "/etc/ld.so.preload, /tmp/**\n");
  std::string log_openat = TempPolicy("log-openat.policy", "log openat\n");
  std::vector<Config> open_heavy = {
      {"native", {open_loop, target, opens}},
      {"sysgate broker (open by the supervisor)",
       {sysgate, "run", "--policy=" + broker, "--", open_loop, target, opens}},
      {"sysgate log openat",
       {sysgate, "run", "--policy=" + log_openat, "--", open_loop, target,
        opens}},
  };
  if (have_strace) {
    open_heavy.push_back(
        {"strace -f --seccomp-bpf -e trace=openat",
         {"strace", "-f", "--seccomp-bpf", "-e", "trace=openat", "-o",
          "/dev/null", open_loop, target, opens}});
  }
  if (have_proot)
    open_heavy.push_back({"proot (no seccomp acceleration)",
                          {"proot", open_loop, target, opens}});

  std::vector<Config> untraced = {
      {"native (no filter)", {loop, calls}},
      {"kernel floor: 1-instruction allow-all filter",
       {runfiles.Path("bench/allow_all"), loop, calls}},
      {"sysgate, built-in default policy", {sysgate, "run", "--", loop, calls}},
      {"sysgate, 300 conditional rules",
       {sysgate, "run", "--policy=" + rules300, "--", loop, calls}},
  };
  std::vector<Config> traced = {
      {"minimal C tracer (bench/min_tracer.c)", {floor, loop, traced_calls}},
      {"sysgate emulate(42)",
       {sysgate, "run", "--policy=" + emulate, "--", loop, traced_calls}},
  };
  if (have_strace) {
    untraced.push_back({"strace -f --seccomp-bpf -e trace=openat",
                        {"strace", "-f", "--seccomp-bpf", "-e", "trace=openat",
                         "-o", "/dev/null", loop, calls}});
    traced.push_back(
        {"strace -f --seccomp-bpf -e inject=...:retval=42",
         {"strace", "-f", "--seccomp-bpf", "-e", "trace=getppid", "-e",
          "inject=getppid:retval=42", "-o", "/dev/null", loop, traced_calls}});
  }
  printf(
      "sysgate bench: %s untraced / %s traced calls per run, %d runs each; ns "
      "per getppid\n",
      calls.c_str(), traced_calls.c_str(), repeat);
  for (bool pinned : {true, false}) {
    RunGroup("untraced getppid: filter cost", untraced, repeat, pinned);
    RunGroup("emulated getppid: one seccomp stop per call", traced, repeat,
             pinned);
    RunGroup("openat+read+close of one file: ns per iteration", open_heavy,
             repeat, pinned);
  }
  if (!have_strace) printf("\n(strace not installed: its rows are left out)\n");
  unlink(rules300.c_str());
  unlink(target.c_str());
  unlink(broker.c_str());
  unlink(log_openat.c_str());
  unlink(emulate.c_str());
  return 0;
}

}  // namespace
}  // namespace sysgate

int main(int argc, char** argv) { return sysgate::Main(argc, argv); }
