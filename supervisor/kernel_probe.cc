// An edge module: raw seccomp(2), prctl and ptrace of a helper child.
#include "supervisor/kernel_probe.h"

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

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "arch/host_registers.h"
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
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("[vsyscall]") == std::string::npos) continue;
    // xonly maps the page execute-only (--xp); emulate maps it readable.
    if (line.find(" --xp ") != std::string::npos) return "xonly";
    if (line.find(" r-xp ") != std::string::npos) return "emulate";
    return "unknown";
  }
  return "none";
}

std::string JsonList(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& i : items)
    quoted.push_back(absl::StrCat("\"", i, "\""));
  return absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
}

}  // namespace

bool KernelProbe::Logs(const std::string& action) const {
  return std::find(actions_logged.begin(), actions_logged.end(), action) !=
         actions_logged.end();
}

absl::StatusOr<KernelProbe> ProbeKernel(bool full) {
  KernelProbe p;
  struct utsname u;
  if (uname(&u) == 0) p.release = u.release;
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
    if (abi == AbiId::kI386 && !host::Int80Works()) continue;
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
      << "ABIs: " << absl::StrJoin(abis, " ") << "\n";
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
      "\",\"vsyscall\":\"", vsyscall, "\",\"abis\":", JsonList(abis), "}");
}

std::vector<std::string> PolicyWarnings(const KernelProbe& probe,
                                        bool uses_audit,
                                        bool uses_kill_process) {
  std::vector<std::string> warnings;
  if (uses_audit && !probe.actions.log) {
    warnings.push_back(
        "this kernel has no SECCOMP_RET_LOG: 'audit' rules only allow");
  } else if (uses_audit && !probe.Logs("log")) {
    warnings.push_back(
        "'log' is not in /proc/sys/kernel/seccomp/actions_logged: 'audit' "
        "rules allow but the kernel logs nothing");
  }
  if (uses_kill_process && !probe.actions.kill_process) {
    warnings.push_back(
        "this kernel has no SECCOMP_RET_KILL_PROCESS: 'kill' kills only the "
        "calling thread");
  }
  return warnings;
}

}  // namespace sysgate
