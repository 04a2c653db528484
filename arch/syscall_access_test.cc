// SyscallAccess against the live kernel: real tracees (64- and 32-bit)
// stopped by a real filter, read and changed through every path sysgate
// has: PTRACE_SET_SYSCALL_INFO, the register-set fallback older kernels
// get, and reads without PTRACE_GET_SYSCALL_INFO.
#include "arch/syscall_access.h"

#include <fcntl.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "arch/kernel_probe.h"
#include "arch/ptrace.h"
#include "filters/compiler.h"
#include "filters/parser.h"
#include "filters/resolve.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tracee/launcher.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;

constexpr unsigned long kOptions =
    PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;

std::string TraceePath(const std::string& name) {
  return std::string(getenv("TEST_SRCDIR")) + "/sysgate/tests/testcases/" +
         name;
}

std::string Drain(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
  close(fd);
  return out;
}

struct Observed {
  std::string out, err;
  AbiId abi = AbiId::kX86_64;  // Of the last stop.
  bool saw_i386 = false;
  std::string unsupported;  // Why a stop's ABI could not be read.
  int stops = 0;
  int exit_code = -1;
};

// Runs `program ids` (getuid, geteuid, getppid, printed with write(1)):
// getuid is skipped with 4242, geteuid becomes getppid, and every write's
// fd argument is rewritten from 1 to 2.
Observed RunIds(const std::string& program, const SyscallAccess& access,
                const std::string& mode = "ids") {
  Policy policy = *ParsePolicy("log getuid, geteuid, write\n", "t");
  std::vector<AbiPolicy> resolved;
  for (AbiId abi : HostAbis()) resolved.push_back(*ResolvePolicy(policy, abi));
  FilterSpec spec;
  for (const AbiPolicy& p : resolved) spec.abis.push_back(&p);
  spec.rule_returns = {SECCOMP_RET_TRACE | 0};
  spec.unknown_arch_return = SECCOMP_RET_TRACE | 1;  // AArch32 on arm64.
  BpfProgram filter = *CompileFilter(spec);

  int out[2], err[2];
  EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
  EXPECT_EQ(pipe2(err, O_CLOEXEC), 0);
  int saved_out = dup(1), saved_err = dup(2);
  dup2(out[1], 1);
  dup2(err[1], 2);
  Launcher launcher;
  absl::StatusOr<pid_t> pid =
      launcher.Start(program, {program, mode}, {}, filter, kOptions);
  dup2(saved_out, 1);
  dup2(saved_err, 2);
  close(saved_out);
  close(saved_err);
  close(out[1]);
  close(err[1]);
  Observed seen;
  EXPECT_TRUE(pid.ok()) << pid.status();
  while (pid.ok()) {
    int status;
    if (waitpid(*pid, &status, __WALL) != *pid) break;
    if (WIFEXITED(status)) {
      seen.exit_code = WEXITSTATUS(status);
      break;
    }
    if (WIFSIGNALED(status)) {
      seen.exit_code = 128 + WTERMSIG(status);
      break;
    }
    int sig = WSTOPSIG(status);
    if ((status >> 16) == PTRACE_EVENT_SECCOMP) {
      ++seen.stops;
      absl::StatusOr<SyscallStop> stop = access.ReadSeccompStop(*pid);
      if (IsUnsupportedAbi(stop.status())) {
        seen.unsupported = std::string(stop.status().message());
        kill(*pid, SIGKILL);
        ptrace::Cont(*pid, 0).IgnoreError();
        continue;
      }
      EXPECT_TRUE(stop.ok()) << stop.status();
      if (!stop.ok()) break;
      seen.abi = stop->abi;
      seen.saw_i386 |= stop->abi == AbiId::kI386;
      const Abi& abi = GetAbi(stop->abi);
      std::string name = abi.Name(stop->nr);
      absl::Status s;
      if (name == "getuid") {
        s = access.Skip(*stop, 4242);
      } else if (name == "geteuid") {
        s = access.Rewrite(*stop, abi.Find("getppid")->nr, stop->args);
      } else if (name == "write") {
        EXPECT_EQ(stop->args[0], 1u);
        std::array<uint64_t, 6> args = stop->args;
        args[0] = 2;
        s = access.Rewrite(*stop, stop->nr, args);
      }
      EXPECT_TRUE(s.ok()) << s;
      sig = 0;
    } else if ((status >> 16) != 0 || sig == SIGTRAP) {
      sig = 0;
    }
    ptrace::Cont(*pid, sig).IgnoreError();
  }
  seen.out = Drain(out[0]);
  seen.err = Drain(err[0]);
  return seen;
}

class SyscallAccessTest : public ::testing::TestWithParam<
                              std::tuple<std::string, bool, bool, SkipMethod>> {
};

TEST_P(SyscallAccessTest, SkipRenumberAndRewriteArguments) {
  auto [program, use_get_info, use_set_info, skip] = GetParam();
  KernelFeatures kernel = ProbeKernelFeatures();
  if (use_get_info && !kernel.get_syscall_info)
    GTEST_SKIP() << "kernel lacks PTRACE_GET_SYSCALL_INFO (5.3+)";
  if (use_set_info && !kernel.set_syscall_info)
    GTEST_SKIP() << "kernel lacks PTRACE_SET_SYSCALL_INFO (6.16+)";
  if (skip == SkipMethod::kSyscallInfoAndReturn && !kernel.set_syscall_info) {
    GTEST_SKIP() << "kernel lacks PTRACE_SET_SYSCALL_INFO (6.16+)";
  }
  KernelFeatures features{use_get_info, use_set_info};
  Observed seen = RunIds(TraceePath(program), SyscallAccess(features, skip));
  if (program == "calls32" && HostAbis().size() == 1) {
    // arm64: calls32 is AArch32, which sysgate has no tables for; both the
    // audit arch and the 72-byte compat register set say so.
    EXPECT_EQ(seen.exit_code, 128 + SIGKILL);
    EXPECT_THAT(seen.unsupported, HasSubstr("32-bit ARM (AArch32)"));
    return;
  }
  EXPECT_EQ(seen.unsupported, "");
  EXPECT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_EQ(seen.abi, program == "calls32" ? AbiId::kI386 : HostAbis()[0]);
  // Every write went to fd 2 instead of 1.
  EXPECT_EQ(seen.out, "");
  EXPECT_THAT(seen.err, HasSubstr("getuid = 4242\n"));
  // geteuid ran as getppid: the tracer's pid, not root's 0.
  EXPECT_THAT(seen.err, HasSubstr(absl::StrCat("geteuid = ", getpid(), "\n")));
  EXPECT_THAT(seen.err, HasSubstr("getppid = 1\n"));
  EXPECT_GE(seen.stops, 5);
}

INSTANTIATE_TEST_SUITE_P(
    AllPaths, SyscallAccessTest,
    ::testing::Combine(::testing::Values("calls", "calls32"),
                       ::testing::Values(true, false),  // GET_SYSCALL_INFO
                       ::testing::Values(true, false),  // SET_SYSCALL_INFO
                       ::testing::Values(SkipMethod::kSingleRegisters,
                                         SkipMethod::kSyscallInfoAndReturn,
                                         SkipMethod::kRegisterSet)),
    [](const auto& info) {
      return absl::StrCat(std::get<0>(info.param),
                          std::get<1>(info.param) ? "_getinfo" : "_regsread",
                          std::get<2>(info.param) ? "_setinfo" : "_regset",
                          "_skip", static_cast<int>(std::get<3>(info.param)));
    });

// Without PTRACE_GET_SYSCALL_INFO the ABI of an `int $0x80` call from a
// 64-bit process comes from the instruction bytes before ip (CD 80).
TEST(RegisterReadTest, Int80FromSixtyFourBitIsI386) {
  if (HostAbis()[0] != AbiId::kX86_64) GTEST_SKIP() << "int $0x80 is x86-64's";
  Observed seen = RunIds(TraceePath("calls"),
                         SyscallAccess(KernelFeatures{false, false}), "int80");
  EXPECT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_TRUE(seen.saw_i386);
  EXPECT_THAT(seen.err, HasSubstr("i386 getuid = 4242\n"));
  EXPECT_THAT(seen.err, HasSubstr("x86_64 getuid = 4242\n"));
  EXPECT_THAT(seen.err, HasSubstr("i386 socketcall = -1 EINVAL\n"));
}

TEST(ProbeTest, FeaturesOnThisKernel) {
  KernelFeatures f = ProbeKernelFeatures();
  // GET_SYSCALL_INFO is 5.3+; this project's machines all have it.
  EXPECT_TRUE(f.get_syscall_info);
}

}  // namespace
}  // namespace sysgate
