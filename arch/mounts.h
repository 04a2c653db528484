// The mount table, as this process sees it (/proc/self/mounts): what the
// program sysgate starts will see too, as it shares sysgate's mount
// namespace and cannot mount (README: guards).
#ifndef SYSGATE_ARCH_MOUNTS_H_
#define SYSGATE_ARCH_MOUNTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sysgate {

// Where a procfs is mounted: /proc, and any other mount of one (a
// chroot's or build root's proc, a bind mount of /proc), unescaped.
absl::StatusOr<std::vector<std::string>> ProcfsMountPoints();

}  // namespace sysgate

#endif  // SYSGATE_ARCH_MOUNTS_H_
