#include "supervisor/notify/landlock_plan.h"

#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "arch/mounts.h"
#include "supervisor/engine/brokered_calls.h"

namespace sysgate {
namespace {

using landlock::FsRight;

bool HasWildcard(absl::string_view component) {
  return component.find_first_of("*?") != absl::string_view::npos;
}

// A pattern's longest literal prefix, and whether the pattern is exactly
// that prefix (a literal path) or that prefix followed by a single `**`
// (the whole hierarchy): the two shapes a path-beneath rule expresses.
struct LiteralPrefix {
  std::string path;
  enum class Shape { kLiteral, kHierarchy, kWider } shape;
};

LiteralPrefix PrefixOf(absl::string_view pattern) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(pattern, '/', absl::SkipEmpty());
  size_t literal = 0;
  while (literal < parts.size() && !HasWildcard(parts[literal])) ++literal;
  LiteralPrefix out;
  out.path = absl::StrCat(
      "/", absl::StrJoin(parts.begin(), parts.begin() + literal, "/"));
  if (literal == parts.size()) {
    out.shape = LiteralPrefix::Shape::kLiteral;
  } else if (literal + 1 == parts.size() && parts[literal] == "**") {
    out.shape = LiteralPrefix::Shape::kHierarchy;
  } else {
    out.shape = LiteralPrefix::Shape::kWider;
  }
  return out;
}

bool IsBelowOrAt(absl::string_view path, absl::string_view dir) {
  return dir == "/" || path == dir ||
         (absl::StartsWith(path, dir) && path[dir.size()] == '/');
}

// Whether `path` is the path the kernel reports for what it names (no
// symlink or ".." on the way): the broker matches resolved paths, and a
// rule on another spelling would confine something else.
bool Canonical(const std::string& path) {
  char real[PATH_MAX];
  return realpath(path.c_str(), real) != nullptr && path == real;
}

bool InProcSelf(absl::string_view path) {
  return IsBelowOrAt(path, "/proc/self") ||
         IsBelowOrAt(path, "/proc/thread-self");
}

// Whether a rule on `path` reaches into a procfs: one mounted at or below
// it (a rule beneath `/` covers /proc; one beneath a chroot's directory
// covers the proc mounted in it, which the broker, checking the file
// system type, refuses just the same), or `path` inside one.
bool CoversProc(absl::string_view path,
                const std::vector<std::string>& procfs) {
  for (const std::string& mount : procfs) {
    if (IsBelowOrAt(mount, path) || IsBelowOrAt(path, mount)) return true;
  }
  return false;
}

// Why a rule on `prefix` does not allow exactly what the pattern grants,
// or "". `hierarchies` are the canonical `DIR/**` read and write grants.
std::string Difference(const LiteralPrefix& prefix, absl::string_view pattern,
                       BrokerRule::Mode mode,
                       const std::vector<std::string>& hierarchies,
                       const std::vector<std::string>& procfs) {
  if (InProcSelf(prefix.path)) {
    return absl::StrCat(pattern,
                        ": sysgate builds the ruleset, so a rule on "
                        "/proc/self would name its own entries: none is made");
  }
  // Reading is left to Landlock with the capabilities that read more than
  // a process's world-readable entries dropped (LandlockPlan::reads_proc);
  // writing is not: root writes any process's oom_score_adj, sysgate's too.
  if (mode == BrokerRule::Mode::kWrite && CoversProc(prefix.path, procfs)) {
    return absl::StrCat(pattern,
                        ": writes in /proc, where sysgate's own entries must "
                        "stay out of reach");
  }
  struct stat st;
  if (stat(prefix.path.c_str(), &st) != 0) {
    return absl::StrCat(pattern, ": ", prefix.path,
                        " does not exist, so its nearest ancestor is used");
  }
  if (!Canonical(prefix.path)) {
    return absl::StrCat(pattern, ": ", prefix.path,
                        " is not its resolved path (a symlink or .. on the "
                        "way), which is what grants match");
  }
  if (mode == BrokerRule::Mode::kExec) {
    // Exec needs READ_FILE: exact only where reading is granted anyway.
    for (const std::string& dir : hierarchies) {
      if (IsBelowOrAt(prefix.path, dir)) return "";
    }
    return absl::StrCat(pattern, ": the kernel reads what it runs, so ",
                        prefix.path, " would be readable");
  }
  switch (prefix.shape) {
    case LiteralPrefix::Shape::kHierarchy:
      return S_ISDIR(st.st_mode) ? ""
                                 : absl::StrCat(pattern, ": ", prefix.path,
                                                " is not a directory");
    case LiteralPrefix::Shape::kLiteral:
      return S_ISDIR(st.st_mode)
                 ? absl::StrCat(pattern,
                                ": a rule on a directory covers what is in it")
                 : "";
    case LiteralPrefix::Shape::kWider:
      break;
  }
  return absl::StrCat(pattern, ": Landlock can only confine to ", prefix.path,
                      " (a wildcard below it)");
}

}  // namespace

uint64_t RightsOfGrant(BrokerRule::Mode mode, int abi) {
  uint64_t rights = 0;
  switch (mode) {
    case BrokerRule::Mode::kRead:
      rights = FsRight::kReadFile | FsRight::kReadDir | FsRight::kIoctlDev |
               FsRight::kExecute;
      break;
    case BrokerRule::Mode::kWrite:
      rights = FsRight::kReadFile | FsRight::kReadDir | FsRight::kIoctlDev |
               FsRight::kExecute | FsRight::kWriteFile | FsRight::kTruncate |
               FsRight::kRemoveDir | FsRight::kRemoveFile | FsRight::kMakeDir |
               FsRight::kMakeReg | FsRight::kMakeSock | FsRight::kMakeFifo |
               FsRight::kMakeSym | FsRight::kRefer;
      break;
    case BrokerRule::Mode::kExec:
      rights = FsRight::kExecute | FsRight::kReadFile;
      break;
    case BrokerRule::Mode::kDeny:
      break;
  }
  return rights & landlock::FsRightsOf(abi);
}

LandlockPlan PlanLandlock(const Policy& policy, int abi) {
  LandlockPlan plan;
  bool exec_grants = false;
  // Canonical `DIR/**` read and write grants.
  std::vector<std::string> hierarchies;
  for (const BrokerRule& rule : policy.broker_rules) {
    exec_grants |= rule.mode == BrokerRule::Mode::kExec;
    if (rule.mode != BrokerRule::Mode::kRead &&
        rule.mode != BrokerRule::Mode::kWrite) {
      continue;
    }
    for (const std::string& pattern : rule.patterns) {
      LiteralPrefix prefix = PrefixOf(pattern);
      if (prefix.shape == LiteralPrefix::Shape::kHierarchy &&
          Canonical(prefix.path))
        hierarchies.push_back(prefix.path);
    }
  }
  bool reads_everything = std::find(hierarchies.begin(), hierarchies.end(),
                                    "/") != hierarchies.end();
  absl::StatusOr<std::vector<std::string>> procfs = ProcfsMountPoints();
  if (!procfs.ok()) {
    // Every prefix might then cover one: fail closed.
    plan.differences.push_back(std::string(procfs.status().message()));
    procfs = std::vector<std::string>{"/"};
  }
  plan.ruleset.handled_fs = landlock::FsRightsOf(abi);
  plan.ruleset.scoped = landlock::ScopesOf(abi);
  // The kernel opens an image for reading as the program (open_exec:
  // READ_FILE and EXECUTE), so READ_FILE confines exec too; a policy
  // whose exec the broker leaves free leaves both to the broker, unless
  // its rule on `/` gives both everywhere (RightsOfGrant: read runs too).
  if (!exec_grants && !reads_everything) {
    plan.ruleset.handled_fs &=
        ~uint64_t{FsRight::kExecute | FsRight::kReadFile};
    plan.differences.push_back(
        "no broker exec rules: Landlock cannot confine reading files "
        "without confining exec, which such a policy leaves free");
  }
  if (policy.broker_default_errno && *policy.broker_default_errno != EACCES) {
    plan.differences.push_back(
        "broker default: Landlock fails what it refuses with EACCES");
  }
  for (const BrokerRule& rule : policy.broker_rules) {
    if (rule.mode == BrokerRule::Mode::kDeny) {
      plan.differences.push_back(absl::StrCat(
          "broker deny ", rule.loc.ToString(), ": Landlock has no exclusions"));
      continue;
    }
    for (const std::string& pattern : rule.patterns) {
      LiteralPrefix prefix = PrefixOf(pattern);
      std::string difference =
          Difference(prefix, pattern, rule.mode, hierarchies, *procfs);
      if (!difference.empty()) plan.differences.push_back(difference);
      // sysgate builds the ruleset, so /proc/self here would be sysgate's.
      if (InProcSelf(prefix.path)) continue;
      plan.reads_proc |= CoversProc(prefix.path, *procfs);
      plan.ruleset.rules.push_back(
          {prefix.path, RightsOfGrant(rule.mode, abi)});
    }
  }
  return plan;
}

void AddExecutables(const std::vector<std::string>& files, LandlockPlan& plan) {
  uint64_t rights = (FsRight::kExecute | FsRight::kReadFile);
  for (const std::string& file : files)
    plan.ruleset.rules.push_back({file, rights});
}

bool NeedsExecutables(const LandlockPlan& plan) {
  uint64_t rights = (FsRight::kExecute | FsRight::kReadFile);
  if ((plan.ruleset.handled_fs & rights) == 0) return false;
  for (const landlock::PathRule& rule : plan.ruleset.rules) {
    if (rule.path == "/" && (rule.allowed & rights) == rights) return false;
  }
  return true;
}

std::vector<std::string> SystemElfInterpreters() {
  std::vector<std::string> out;
  // Where glibc's and musl's dynamic loaders live on Debian: the
  // ABI-mandated names (/lib64/ld-linux-x86-64.so.2, /lib/ld-linux.so.2,
  // /lib/ld-musl-*.so.1), usually symlinks, and the files in the multiarch
  // directories (x86_64-linux-gnu, i386-linux-gnu, aarch64-linux-gnu,
  // arm-linux-gnueabihf...). Only those directories are listed: every
  // directory of /usr/lib would cost a run milliseconds at start.
  for (const char* pattern :
       {"/lib*/ld-*.so*", "/lib/*-linux-*/ld-*.so*", "/usr/lib*/ld-*.so*",
        "/usr/lib/*-linux-*/ld-*.so*"}) {
    glob_t found = {};
    if (glob(pattern, 0, nullptr, &found) == 0) {
      for (size_t i = 0; i < found.gl_pathc; ++i)
        out.push_back(found.gl_pathv[i]);
    }
    globfree(&found);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> CallsLandlockConfines(int abi) {
  std::vector<std::string> out;
  if (abi <= 0) return out;
  for (const BrokeredCall& call : BrokeredCalls()) {
    bool confined = false;
    switch (call.op) {
      case BrokerOp::kOpen:  // READ_FILE, WRITE_FILE, READ_DIR, MAKE_REG.
      case BrokerOp::kStat:  // Not checked: the documented difference.
      case BrokerOp::kAccess:
      case BrokerOp::kReadlink:
      case BrokerOp::kMakeDir:
      case BrokerOp::kMakeNode:  // MAKE_CHAR and MAKE_BLOCK never granted.
      case BrokerOp::kSymlink:
        confined = true;
        break;
      case BrokerOp::kTruncate:
        confined = abi >= 3;
        break;
      // Landlock checks removing a name, and renaming or linking from it,
      // on its directory: a grant's own file or root (which the broker
      // lets go) sits in a directory no rule covers.
      case BrokerOp::kRemove:
      case BrokerOp::kRename:
      case BrokerOp::kLink:
      case BrokerOp::kExec:
      case BrokerOp::kChmod:
      case BrokerOp::kChown:
      case BrokerOp::kTimes:
      case BrokerOp::kChdir:  // Not checked by Landlock at all.
      case BrokerOp::kStatfs:
      case BrokerOp::kXattrRead:
      case BrokerOp::kXattrChange:  // Landlock has no right for it.
      case BrokerOp::kWatch:
      // Landlock's MAKE_SOCK covers bind, but not on a socket fetched from
      // the program; connect and sends it never checks (ABI 6 scopes only
      // abstract names).
      case BrokerOp::kBind:
      case BrokerOp::kConnect:
      case BrokerOp::kSendTo:
      case BrokerOp::kSendMessages:
      case BrokerOp::kSocketCall:
        break;
    }
    // A call on a held descriptor was opened by sysgate, which Landlock
    // does not restrict: only the broker checks it.
    if (confined && call.held_fd == kNoArg)
      out.push_back(std::string(call.name));
  }
  return out;
}

}  // namespace sysgate
