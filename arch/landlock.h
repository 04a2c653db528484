// The Landlock edge (landlock(7), Linux 5.13): the ABI version, a ruleset
// of path-beneath rules built before the fork, and the one call the
// launcher's child makes with it. Rights and scopes newer than the
// installed 6.1 headers are spelled here with their uapi values.
#ifndef SYSGATE_ARCH_LANDLOCK_H_
#define SYSGATE_ARCH_LANDLOCK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sysgate::landlock {

// LANDLOCK_ACCESS_FS_* (include/uapi/linux/landlock.h), with the ABI that
// introduced each.
enum FsRight : uint64_t {
  kExecute = 1ULL << 0,  // v1 (5.13), as are the rights up to kMakeSym.
  kWriteFile = 1ULL << 1,
  kReadFile = 1ULL << 2,
  kReadDir = 1ULL << 3,
  kRemoveDir = 1ULL << 4,
  kRemoveFile = 1ULL << 5,
  kMakeChar = 1ULL << 6,
  kMakeDir = 1ULL << 7,
  kMakeReg = 1ULL << 8,
  kMakeSock = 1ULL << 9,
  kMakeFifo = 1ULL << 10,
  kMakeBlock = 1ULL << 11,
  kMakeSym = 1ULL << 12,
  kRefer = 1ULL << 13,     // v2 (5.19): rename and link across directories.
  kTruncate = 1ULL << 14,  // v3 (6.2).
  kIoctlDev = 1ULL << 15,  // v5 (6.10): ioctl on device files.
};
// LANDLOCK_SCOPE_* (v6, 6.12).
enum Scope : uint64_t {
  kScopeAbstractUnixSocket = 1ULL << 0,
  kScopeSignal = 1ULL << 1,
};

// The rights a rule on something other than a directory may carry (the
// kernel refuses the others there with EINVAL).
constexpr uint64_t kFileRights =
    kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;

// The filesystem rights and scopes an ABI version knows; 0 for 0.
uint64_t FsRightsOf(int abi);
uint64_t ScopesOf(int abi);

// landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION): the
// highest ABI this kernel supports, or 0 where it has no Landlock (ENOSYS)
// or it is not enabled at boot (EOPNOTSUPP).
int Abi();

struct PathRule {
  std::string path;  // Absolute.
  uint64_t allowed = 0;
};

struct Ruleset {
  uint64_t handled_fs = 0;  // Denied everywhere but beneath a rule.
  uint64_t scoped = 0;
  std::vector<PathRule> rules;
};

// The ruleset's fd (close-on-exec). Each rule's path is opened O_PATH,
// following symlinks, so the rule names the object the kernel will meet
// when it resolves the program's paths; a path that does not exist yet
// gives its rights to the nearest ancestor that does (wider, never
// narrower). A rule on a non-directory keeps only kFileRights.
absl::StatusOr<int> CreateRuleset(const Ruleset& ruleset);

// landlock_restrict_self(ruleset_fd, 0): 0, or -1 with errno. One raw
// system call: async-signal-safe, for the launcher's child after
// NO_NEW_PRIVS and before its filters (which would otherwise see it).
int RestrictSelf(int ruleset_fd);

}  // namespace sysgate::landlock

#endif  // SYSGATE_ARCH_LANDLOCK_H_
