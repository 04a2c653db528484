// A policy as the user wrote it: rules with their source locations,
// conditions still symbolic (parameter names and constants are resolved
// per ABI by resolve.h, since both can differ between ABIs).
#ifndef SYSGATE_FILTERS_POLICY_H_
#define SYSGATE_FILTERS_POLICY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace sysgate {

struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  std::string ToString() const;  // "file:line"
};

// A located error in the CLI's format: "FILE:LINE:COL: error: MESSAGE".
absl::Status PolicyError(const SourceLocation& loc, absl::string_view message);

struct Action {
  enum class Kind : uint8_t {
    kAllow,
    kAudit,    // SECCOMP_RET_LOG: allowed, logged by the kernel.
    kLog,      // Allowed, reported by sysgate (a TRACE stop).
    kErrno,    // value = errno.
    kEmulate,  // Not run; value = the raw result.
    kKillProcess,
    kKillThread,
    kTrap,  // SIGSYS.
  };
  Kind kind = Kind::kAllow;
  int64_t value = 0;

  // Whether the action stops the program's call (a "violation" when it
  // comes from a rule or the default).
  bool denies() const {
    return kind == Kind::kErrno || kind == Kind::kKillProcess ||
           kind == Kind::kKillThread || kind == Kind::kTrap;
  }
  std::string ToString() const;  // As written in a policy: "errno(EPERM)".
  bool operator==(const Action& o) const {
    return kind == o.kind && value == o.value;
  }
};

// A value in a condition: literals and constant names OR-ed together,
// kept symbolic until the ABI is known (O_DIRECTORY differs on arm64).
struct ValueTerm {
  std::string constant;  // Empty for a literal.
  uint64_t literal = 0;
  SourceLocation loc;
};
struct ValueExpr {
  std::vector<ValueTerm> terms;  // OR-ed.
};

enum class CmpOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

// A condition over the call's arguments.
struct CondExpr {
  enum class Kind : uint8_t { kCompare, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  // kCompare: (operand & mask) op value; operand is "argN" or a parameter.
  std::string operand;
  absl::optional<ValueExpr> mask;
  CmpOp op = CmpOp::kEq;
  ValueExpr value;
  SourceLocation loc;
  // kAnd/kOr: two children; kNot: one.
  std::vector<std::unique_ptr<CondExpr>> children;
};

struct Rule {
  Action action;
  std::vector<std::string> syscalls;
  std::vector<SourceLocation> syscall_locs;
  std::shared_ptr<const CondExpr> condition;  // Null: unconditional.
  SourceLocation loc;
  std::string origin;  // Empty for policy rules; "--inject=..." etc.
  // Whether a denial by this rule is reported (and so stops in the
  // supervisor when reports are on). sysgate's own routine guards are not.
  bool report = true;
};

// `broker MODE PATTERN[, PATTERN...]`: opens the supervisor performs
// itself, granting what the patterns cover (see supervisor/broker.h).
struct BrokerRule {
  enum class Mode : uint8_t {
    kRead,   // O_RDONLY opens and the calls that reveal files.
    kWrite,  // Read, write, create, truncate.
    kExec,   // execve/execveat of the file (only).
    kDeny,   // Nothing, whatever a grant says (`broker deny`).
  };
  Mode mode = Mode::kRead;
  std::vector<std::string>
      patterns;  // Absolute globs: `*` in a component, `**` across.
  SourceLocation loc;
};

struct Policy {
  absl::optional<Action> default_action;
  SourceLocation default_loc;
  std::vector<Rule> rules;  // Evaluated in order; the first match decides.
  std::vector<BrokerRule> broker_rules;
  // What an open no broker rule grants fails with (`broker default
  // errno(E)`); EACCES when unset.
  absl::optional<int> broker_default_errno;
};

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_POLICY_H_
