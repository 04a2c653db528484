// --inject=SET:ACTION[:ACTION...][:when=EXPR], strace's -e inject syntax
// and semantics (strace(1), "Tampering"):
//   error=ENAME|N   the call does not run and fails with that errno;
//   retval=N        the call does not run and returns N;
//   signal=SIG      SIG is queued to the thread when the call is entered
//                   (tgkill at the seccomp stop), delivered on its return;
//   syscall=NAME    NAME runs instead, with the same arguments; with error
//                   or retval its result is then replaced at syscall exit.
//   delay_enter=T   the thread waits T before the call runs;
//   delay_exit=T    the thread waits T after it ran, before it returns.
//                   T as strace reads it: a decimal number, microseconds,
//                   or with a unit: s, ms, us, ns (1.5s, 250ms, 10).
//   when=first[..last][+[step]]   which invocations, counted per thread
//                   and per syscall; default every one.
// error and retval are exclusive; at least one of error, retval, signal,
// syscall, delay_enter, delay_exit is required.
#ifndef SYSGATE_SUPERVISOR_ENGINE_INJECT_SPEC_H_
#define SYSGATE_SUPERVISOR_ENGINE_INJECT_SPEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"

namespace sysgate {

struct InjectWhen {
  uint32_t first = 1;
  uint32_t last = UINT32_MAX;
  uint32_t step = 1;

  bool Matches(uint64_t invocation) const {  // 1-based.
    return invocation >= first && invocation <= last &&
           (invocation - first) % step == 0;
  }
};

struct InjectSpec {
  std::string text;  // As given, for reports.
  std::vector<std::string> syscalls;
  absl::optional<int> error;
  absl::optional<int64_t> retval;
  absl::optional<int> signal;
  absl::optional<std::string> substitute;
  absl::optional<absl::Duration> delay_enter;
  absl::optional<absl::Duration> delay_exit;
  InjectWhen when;
};

// Errors name the option: "--inject=read:error=EWHAT: unknown errno 'EWHAT'".
absl::StatusOr<InjectSpec> ParseInjectSpec(absl::string_view text);

// A delay as strace reads one (strace(1), "Time specification format"):
// `1.5s`, `250ms`, `10us`, `100ns`, or a bare number of microseconds;
// at most a day.
absl::StatusOr<absl::Duration> ParseDelay(absl::string_view text);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_ENGINE_INJECT_SPEC_H_
