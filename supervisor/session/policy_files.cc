#include "supervisor/session/policy_files.h"

#include "absl/strings/str_cat.h"
#include "arch/kernel_probe.h"
#include "filters/oci.h"
#include "filters/parser.h"
#include "supervisor/session/default_policy.h"

namespace sysgate {

absl::StatusOr<Policy> ParsePolicyOrProfile(const std::string& path) {
  FileLoader loader = DiskFileLoader();
  absl::StatusOr<std::string> text = loader(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": error: cannot read policy: ", text.status().message()));
  }
  if (LooksLikeOciProfile(*text)) {
    // Judged against this machine: its arches, the capabilities the
    // program inherits from sysgate, the running kernel.
    return ParseOciProfile(
        *text, path,
        MachineOciContext(EffectiveCapabilities(), KernelRelease()));
  }
  return ParsePolicy(*text, path, loader);
}

absl::StatusOr<LoadedPolicy> LoadPolicy(const std::string& path) {
  absl::StatusOr<Policy> builtin =
      ParsePolicy(kDefaultPolicyText, kDefaultPolicyName);
  if (!builtin.ok()) return builtin.status();
  LoadedPolicy loaded{*builtin, builtin->default_action.value_or(Action{})};
  if (path.empty()) return loaded;
  absl::StatusOr<Policy> user = ParsePolicyOrProfile(path);
  if (!user.ok()) return user.status();
  loaded.policy = *user;
  return loaded;
}

}  // namespace sysgate
