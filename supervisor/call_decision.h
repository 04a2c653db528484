// What code decides for a stopped call (the library's handlers): the
// decisions a policy rule can make, plus running the call and then
// inspecting, or replacing, its result.
#ifndef SYSGATE_SUPERVISOR_CALL_DECISION_H_
#define SYSGATE_SUPERVISOR_CALL_DECISION_H_

#include <array>
#include <cstdint>
#include <functional>

#include "absl/types/optional.h"

namespace sysgate {

struct CallDecision {
  enum class Kind {
    kAllow,    // Run as made.
    kFail,     // Do not run; fail with errno `value`.
    kReturn,   // Do not run; return `value` raw.
    kRewrite,  // Run `nr` with `args` instead.
    kInspect,  // Run, then `on_return(result)`; a value replaces the result.
  };
  Kind kind = Kind::kAllow;
  int64_t value = 0;
  int nr = -1;
  std::array<uint64_t, 6> args{};
  std::function<absl::optional<int64_t>(int64_t)> on_return;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_CALL_DECISION_H_
