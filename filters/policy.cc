#include "filters/policy.h"

#include "absl/strings/str_cat.h"
#include "filters/constants.h"

namespace sysgate {

absl::Status PolicyError(const SourceLocation& loc, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(
      loc.file, ":", loc.line, ":", loc.column, ": error: ", message));
}

std::string SourceLocation::ToString() const {
  return absl::StrCat(file, ":", line);
}

std::string Action::ToString() const {
  switch (kind) {
    case Kind::kAllow:
      return "allow";
    case Kind::kAudit:
      return "audit";
    case Kind::kLog:
      return "log";
    case Kind::kErrno:
      return absl::StrCat("errno(", ErrnoName(static_cast<int>(value)), ")");
    case Kind::kEmulate:
      return absl::StrCat("emulate(", value, ")");
    case Kind::kKillProcess:
      return "kill";
    case Kind::kKillThread:
      return "kill-thread";
    case Kind::kTrap:
      return "trap";
  }
  return "?";
}

}  // namespace sysgate
