// Raw seccomp(2) queries, and ptrace of short-lived helper children.
#include "arch/kernel_probe.h"

#include <errno.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "arch/abi.h"
#include "arch/landlock.h"
#include "arch/procfs.h"
#include "arch/ptrace.h"

namespace sysgate {
namespace {

std::vector<std::string> ReadWords(const char* path) {
  std::ifstream in(path);
  std::vector<std::string> words;
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

bool ActionAvailable(uint32_t action) {
  return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

// A flag the kernel knows makes seccomp() fail with EFAULT on the NULL
// program; an unknown one with EINVAL.
bool FilterFlagKnown(unsigned long flag) {
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, nullptr);
  return rc != 0 && errno == EFAULT;
}

std::string VsyscallMode() {
  for (absl::string_view line : absl::StrSplit(ReadProcText(0, "maps"), '\n')) {
    if (!absl::StrContains(line, "[vsyscall]")) continue;
    // xonly maps the page execute-only (--xp); emulate maps it readable.
    if (absl::StrContains(line, " --xp ")) return "xonly";
    if (absl::StrContains(line, " r-xp ")) return "emulate";
    return "unknown";
  }
  return "none";
}

// Whether a 64-bit process here can make i386 calls with `int $0x80`
// (kernel CONFIG_IA32_EMULATION, and not ia32_emulation=0).
bool Int80Works() {
#if defined(__x86_64__)
  pid_t child = fork();
  if (child < 0) return false;
  if (child == 0) {
    long ret;
    // i386 getpid is 20. Without IA32 emulation the instruction faults.
    asm volatile("int $0x80"
                 : "=a"(ret)
                 : "a"(20)
                 : "memory", "r8", "r9", "r10", "r11");
    _exit(ret == getpid() ? 0 : 1);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
#else
  return false;
#endif
}

std::string JsonList(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& i : items)
    quoted.push_back(absl::StrCat("\"", i, "\""));
  return absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
}

}  // namespace

// A child stopped by PTRACE_INTERRUPT is at an event-stop where the
// syscall-info op is NONE. GET answers it; SET refuses that op with EINVAL
// when the request exists and with EIO when it does not.
KernelFeatures ProbeKernelFeatures() {
  KernelFeatures features;
  pid_t child = fork();
  if (child < 0) return features;
  if (child == 0) {
    while (true) pause();
  }
  if (ptrace::Seize(child, PTRACE_O_EXITKILL).ok() &&
      ptrace::Interrupt(child).ok()) {
    int status;
    if (waitpid(child, &status, __WALL) == child && WIFSTOPPED(status)) {
      unsigned char info[128] = {};
      features.get_syscall_info =
          ptrace::GetSyscallInfo(child, info, sizeof(info)).ok();
      unsigned char set[88] = {};  // op NONE.
      absl::Status s = ptrace::SetSyscallInfo(child, set, sizeof(set));
      features.set_syscall_info = absl::IsInvalidArgument(s);
    }
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, __WALL);
  return features;
}

bool KernelProbe::Logs(const std::string& action) const {
  return std::find(actions_logged.begin(), actions_logged.end(), action) !=
         actions_logged.end();
}

std::string KernelRelease() {
  struct utsname u;
  return uname(&u) == 0 ? u.release : "";
}

uint64_t EffectiveCapabilities() {
  uint64_t bits = 0;
  return absl::SimpleHexAtoi(ProcStatusField(0, "CapEff"), &bits) ? bits : 0;
}

absl::StatusOr<KernelProbe> ProbeKernel(bool full) {
  KernelProbe p;
  p.release = KernelRelease();
  p.actions_avail = ReadWords("/proc/sys/kernel/seccomp/actions_avail");
  p.actions_logged = ReadWords("/proc/sys/kernel/seccomp/actions_logged");
  auto listed = [&](const char* name) {
    return std::find(p.actions_avail.begin(), p.actions_avail.end(), name) !=
           p.actions_avail.end();
  };
  p.actions.kill_process =
      listed("kill_process") && ActionAvailable(SECCOMP_RET_KILL_PROCESS);
  p.actions.log = listed("log") && ActionAvailable(SECCOMP_RET_LOG);
  p.actions.trace = listed("trace") && ActionAvailable(SECCOMP_RET_TRACE);
  p.actions.trap = listed("trap") && ActionAvailable(SECCOMP_RET_TRAP);
  if (p.actions_avail.empty()) {
    // No /proc file (before 4.14): ask the kernel directly.
    p.actions.kill_process = ActionAvailable(SECCOMP_RET_KILL_PROCESS);
    p.actions.log = ActionAvailable(SECCOMP_RET_LOG);
  }
  if (!p.actions.trace) {
    return absl::FailedPreconditionError(
        "this kernel has no SECCOMP_RET_TRACE; sysgate cannot supervise");
  }
  p.features = ProbeKernelFeatures();
  p.landlock_abi = landlock::Abi();
  // WAIT_KILLABLE_RECV is only accepted together with NEW_LISTENER.
  p.features.notify_wait_killable =
      FilterFlagKnown(SECCOMP_FILTER_FLAG_NEW_LISTENER | (1UL << 5));
  if (!full) return p;
  struct Flag {
    unsigned long bit;
    const char* name;
  };
  const Flag flags[] = {
      {1UL << 0, "tsync"},       {1UL << 1, "log"},
      {1UL << 2, "spec_allow"},  {1UL << 3, "new_listener"},
      {1UL << 4, "tsync_esrch"}, {1UL << 5, "wait_killable_recv"}};
  for (const Flag& f : flags) {
    // WAIT_KILLABLE_RECV is only accepted together with NEW_LISTENER.
    unsigned long with = f.bit == (1UL << 5) ? (1UL << 3) : 0;
    if (FilterFlagKnown(f.bit | with)) p.filter_flags.push_back(f.name);
  }
  p.vsyscall = VsyscallMode();
  for (AbiId abi : HostAbis()) {
    if (abi == AbiId::kI386 && !Int80Works()) continue;
    p.abis.push_back(std::string(GetAbi(abi).name()));
  }
  return p;
}

std::string KernelProbe::ToText() const {
  std::ostringstream out;
  out << "kernel: " << release << "\n"
      << "seccomp actions_avail: " << absl::StrJoin(actions_avail, " ") << "\n"
      << "seccomp actions_logged: " << absl::StrJoin(actions_logged, " ")
      << "\n"
      << "seccomp filter flags: " << absl::StrJoin(filter_flags, " ") << "\n"
      << "PTRACE_GET_SYSCALL_INFO: "
      << (features.get_syscall_info ? "yes" : "no (registers are read instead)")
      << "\n"
      << "PTRACE_SET_SYSCALL_INFO: "
      << (features.set_syscall_info ? "yes (rewrites use it)"
                                    : "no (rewrites use the register set)")
      << "\n"
      << "vsyscall: " << vsyscall << "\n"
      << "ABIs: " << absl::StrJoin(abis, " ") << "\n"
      << "Landlock: "
      << (landlock_abi > 0 ? absl::StrCat("ABI ", landlock_abi)
                           : std::string("none (not built in, or not enabled "
                                         "at boot: broker rules are enforced "
                                         "by sysgate alone)"))
      << "\n";
  return out.str();
}

std::string KernelProbe::ToJson() const {
  return absl::StrCat(
      "{\"kernel\":\"", release,
      "\",\"actions_avail\":", JsonList(actions_avail),
      ",\"actions_logged\":", JsonList(actions_logged),
      ",\"filter_flags\":", JsonList(filter_flags),
      ",\"get_syscall_info\":", features.get_syscall_info ? "true" : "false",
      ",\"set_syscall_info\":", features.set_syscall_info ? "true" : "false",
      ",\"rewrite_path\":\"",
      features.set_syscall_info ? "set_syscall_info" : "regset",
      "\",\"vsyscall\":\"", vsyscall, "\",\"abis\":", JsonList(abis),
      ",\"landlock_abi\":", landlock_abi, "}");
}

}  // namespace sysgate
