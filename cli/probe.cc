// `sysgate probe`: what this kernel offers sysgate.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "arch/kernel_probe.h"
#include "cli/command.h"

namespace sysgate::cli {
namespace {

constexpr FlagSpec kFlags[] = {
    {"--json", FlagSpec::Kind::kSwitch},
};

constexpr char kHelp[] =
    "usage: sysgate probe [--json]\n"
    "Prints what this kernel offers: seccomp actions and flags, logged "
    "actions,\n"
    "PTRACE_GET/SET_SYSCALL_INFO (and so which rewrite path is used), vsyscall "
    "mode, ABIs.\n";

int Probe(const ParsedFlags& flags) {
  if (!flags.rest().empty()) {
    return UsageFailure(kProbeCommand, absl::StrCat("unexpected argument '",
                                                    flags.rest()[0], "'"));
  }
  absl::StatusOr<KernelProbe> probe = ProbeKernel(/*full=*/true);
  if (!probe.ok()) return Fail(probe.status().message());
  absl::PrintF("%s",
               flags.Has("--json") ? probe->ToJson() + "\n" : probe->ToText());
  return 0;
}

}  // namespace

const Command kProbeCommand = {
    "probe", "probe [--json]", kHelp, kFlags, /*program_follows=*/false, Probe,
};

}  // namespace sysgate::cli
