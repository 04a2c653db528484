// Reading a policy file: a sysgate policy or an OCI (Docker/Podman)
// seccomp profile, told apart by content, not by name; the built-in
// default policy when there is none.
#ifndef SYSGATE_SUPERVISOR_SESSION_POLICY_FILES_H_
#define SYSGATE_SUPERVISOR_SESSION_POLICY_FILES_H_

#include <string>

#include "absl/status/statusor.h"
#include "filters/policy.h"

namespace sysgate {

struct LoadedPolicy {
  Policy policy;
  // The built-in default policy's default, for a policy without one.
  Action fallback_default;
};

// Errors read "FILE:LINE:COL: error: ..." (or "FILE: error: ..." for a
// file that cannot be read).
absl::StatusOr<Policy> ParsePolicyOrProfile(const std::string& path);
// `path` empty: the built-in default policy.
absl::StatusOr<LoadedPolicy> LoadPolicy(const std::string& path);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_SESSION_POLICY_FILES_H_
