// Calls that do the same thing by different numbers: the plain and `*at`
// forms, the 32-bit ABI's `*64`, `*32` and `*_time64` variants, the newer
// call that supersedes an older one. A rule written for one member leaves
// the others free, which a program picks to sidestep it; a policy names a
// whole family as `@NAME` (`errno(EACCES) @open`).
#ifndef SYSGATE_ARCH_CALL_FAMILIES_H_
#define SYSGATE_ARCH_CALL_FAMILIES_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sysgate {

struct CallFamily {
  const char* name;  // Without the '@'.
  // Every member on any ABI; a member an ABI lacks is left out there.
  std::vector<const char*> members;
};

absl::Span<const CallFamily> CallFamilies();
// The family called `name` (no '@'), or null.
const CallFamily* FindCallFamily(absl::string_view name);

}  // namespace sysgate

#endif  // SYSGATE_ARCH_CALL_FAMILIES_H_
