// Symbolic constants usable in policy conditions (O_*, AT_*, PROT_*, MAP_*,
// CLONE_*, SOCK_*, AF_*, F_*, PR_*, SIG*, E*), with their per-ABI values.
#ifndef SYSGATE_FILTERS_CONSTANTS_H_
#define SYSGATE_FILTERS_CONSTANTS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "arch/abi.h"

namespace sysgate {

// The value the kernel uses for `name` on `abi`, sign-extended to 64 bits.
absl::optional<int64_t> ConstantValue(AbiId abi, absl::string_view name);
bool IsKnownConstant(absl::string_view name);

// errno names: "EPERM" <-> 1.
absl::optional<int> ErrnoByName(absl::string_view name);
std::string ErrnoName(int err);  // "EPERM", or the number as text.

// Signal names: "SIGKILL" or "KILL" <-> 9.
absl::optional<int> SignalByName(absl::string_view name);
std::string SignalName(int sig);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_CONSTANTS_H_
