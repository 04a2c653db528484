// OCI runtime-spec seccomp profiles (the JSON Docker and Podman use) to
// and from sysgate policies.
//
// Reading follows libseccomp's and runc's semantics where a first-match
// policy can: `defaultAction`/`defaultErrnoRet`; each `syscalls[]` entry's
// `names` (or legacy `name`), `action`, `errnoRet` and `args` (ANDed;
// SCMP_CMP_MASKED_EQ is (arg & value) == valueTwo). Entries with arguments
// are tried before entries without, as libseccomp's per-call decision tree
// does. `includes`/`excludes` are honoured against this machine: `arches`
// (amd64, x86, x32, arm64, arm, or SCMP_ARCH_*), `caps` (the capabilities
// the supervised program will have) and `minKernel`. Names no sysgate ABI
// knows (other architectures' calls) are skipped: profiles list them all.
#ifndef SYSGATE_FILTERS_OCI_H_
#define SYSGATE_FILTERS_OCI_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "filters/policy.h"

namespace sysgate {

struct OciContext {
  std::vector<std::string> arches;     // This machine's names for itself.
  std::set<std::string> capabilities;  // "CAP_SYS_ADMIN", ...
  std::string kernel_release;          // "6.18.44-..."
};

// This machine's context from what the caller read of it: the arches it
// was built for, the capabilities the program will have (a CapEff bit set)
// and the kernel's release (uname).
OciContext MachineOciContext(uint64_t effective_capabilities,
                             absl::string_view kernel_release);

// Whether a policy file is an OCI profile (its first non-blank character
// is '{').
bool LooksLikeOciProfile(absl::string_view text);

absl::StatusOr<Policy> ParseOciProfile(absl::string_view text,
                                       const std::string& file,
                                       const OciContext& context);

// One allow entry of a profile sysgate writes: names, with optional
// argument equalities (all ANDed; one entry per combination).
struct OciArgEquality {
  int index = 0;
  uint64_t mask = ~0ull;  // ~0: SCMP_CMP_EQ; otherwise SCMP_CMP_MASKED_EQ.
  uint64_t value = 0;
};
struct OciAllow {
  std::vector<std::string> names;
  std::vector<OciArgEquality> args;
  std::string comment;  // Written as "comment", which runtimes ignore.
};

// `default_errno` is the errno of SCMP_ACT_ERRNO for everything else.
std::string WriteOciProfile(const std::vector<OciAllow>& allows,
                            int default_errno,
                            const std::vector<std::string>& architectures);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_OCI_H_
