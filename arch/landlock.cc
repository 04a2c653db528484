#include "arch/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace sysgate::landlock {
namespace {

// struct landlock_ruleset_attr as of v6. The kernel copies it with
// copy_struct_from_user, so an older kernel accepts the larger size as
// long as the fields it does not know are zero.
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

// struct landlock_path_beneath_attr: packed in the uapi header.
struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

constexpr unsigned kCreateRulesetVersion = 1U << 0;
constexpr int kRulePathBeneath = 1;  // LANDLOCK_RULE_PATH_BENEATH

// The object at `path`, or at its nearest existing ancestor.
int OpenNearest(std::string path) {
  while (true) {
    int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd >= 0 || (errno != ENOENT && errno != ENOTDIR) || path == "/")
      return fd;
    size_t slash = path.find_last_of('/');
    path =
        slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
  }
}

}  // namespace

uint64_t FsRightsOf(int abi) {
  if (abi <= 0) return 0;
  uint64_t rights = (kMakeSym << 1) - 1;  // v1: bits 0..12.
  if (abi >= 2) rights |= kRefer;
  if (abi >= 3) rights |= kTruncate;
  if (abi >= 5) rights |= kIoctlDev;
  return rights;
}

uint64_t ScopesOf(int abi) {
  return abi >= 6 ? kScopeAbstractUnixSocket | kScopeSignal : 0;
}

int Abi() {
  long abi =
      syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

absl::StatusOr<int> CreateRuleset(const Ruleset& ruleset) {
  RulesetAttr attr = {ruleset.handled_fs, 0, ruleset.scoped};
  long fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "landlock_create_ruleset");
  int ruleset_fd = static_cast<int>(fd);
  for (const PathRule& rule : ruleset.rules) {
    int object = OpenNearest(rule.path);
    struct stat st;
    if (object < 0 || fstat(object, &st) != 0) {
      int saved = errno;
      if (object >= 0) close(object);
      close(ruleset_fd);
      return absl::ErrnoToStatus(saved, absl::StrCat("landlock: ", rule.path));
    }
    uint64_t allowed = rule.allowed & ruleset.handled_fs;
    if (!S_ISDIR(st.st_mode)) allowed &= kFileRights;
    PathBeneathAttr beneath = {allowed, object};
    long added = allowed == 0 ? 0
                              : syscall(SYS_landlock_add_rule, ruleset_fd,
                                        kRulePathBeneath, &beneath, 0);
    int saved = errno;
    close(object);
    if (added != 0) {
      close(ruleset_fd);
      return absl::ErrnoToStatus(
          saved, absl::StrCat("landlock_add_rule: ", rule.path));
    }
  }
  return ruleset_fd;
}

int RestrictSelf(int ruleset_fd) {
  return static_cast<int>(syscall(SYS_landlock_restrict_self, ruleset_fd, 0));
}

}  // namespace sysgate::landlock
