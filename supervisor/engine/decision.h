// What happens to one call, decided once by the engine (DecisionEngine),
// then applied in one place by the transport the call arrived on: a ptrace
// stop (supervisor/loop/ptrace_transport) or a user notification
// (supervisor/notify/notify_transport). The library's handlers return one
// too (harness.h), from the factories below.
#ifndef SYSGATE_SUPERVISOR_ENGINE_DECISION_H_
#define SYSGATE_SUPERVISOR_ENGINE_DECISION_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "supervisor/engine/provenance.h"

namespace sysgate {

struct BrokeredCall;

// The event a decision makes (Reporter decides where it goes).
enum class Report : uint8_t {
  kNone,
  kViolation,  // A rule, the default or a guard denied the call.
  kLog,        // A `log` rule saw it (or `audit`, on a brokered call).
  kEmulate,    // An `emulate` rule answered it.
  kRefused,    // A change sysgate will not make (a vsyscall's number).
  kForeign,    // The program's own filter asked; no rule of ours.
};

struct Decision {
  enum class Kind : uint8_t {
    kAllow,        // Runs as made.
    kFail,         // Does not run; fails with errno `value`.
    kReturn,       // Does not run; returns `value` (raw).
    kRewrite,      // `nr` runs with `args` instead.
    kInspect,      // Runs; `on_return` sees its result.
    kKillProcess,  // The process dies of SIGSYS, as seccomp kills.
    kKillThread,   // The calling thread dies.
    kTrap,         // SIGSYS is delivered to the thread.
    kBroker,       // sysgate performs it (`brokered`, on `nr` and `args`).
  };
  using ResultHook = std::function<absl::optional<int64_t>(int64_t result)>;

  // For the library's handlers.
  static Decision Allow();  // No change: the policy decides the call.
  static Decision Fail(int error);
  static Decision Return(int64_t value);
  static Decision Rewrite(int nr, const std::array<uint64_t, 6>& args);
  // The same call with other arguments (`call` is the library's Call).
  template <typename CallT>
  static Decision RewriteArgs(const CallT& call,
                              const std::array<uint64_t, 6>& args) {
    return Rewrite(call.nr(), args);
  }
  // The call runs; `inspect` sees its raw result and may replace it.
  static Decision Inspect(ResultHook inspect);

  Kind kind = Kind::kAllow;
  int64_t value = 0;  // kFail: the errno; kReturn: the value; kTrap: the
                      // RET_DATA its SIGSYS carries (si_errno).
  int nr = -1;
  std::array<uint64_t, 6> args{};
  const BrokeredCall* brokered = nullptr;  // kBroker: its row of the table.
  // With kInspect, kRewrite and kBroker: called at the call's exit with its
  // raw result; a value it returns replaces the result.
  ResultHook on_return;

  // What --inject adds: a signal queued to the thread as it enters the
  // call, and delays before the call runs and before it returns. The
  // transport holds the thread meanwhile without holding anyone else.
  absl::optional<int> signal;
  absl::Duration delay_enter;
  absl::Duration delay_exit;

  Provenance by;                 // Who decided the outcome.
  absl::optional<int> injected;  // The --inject spec that fired (reported).
  Report report = Report::kNone;
  bool foreign = false;  // The program's own filter also asked for the stop.
  std::string detail;    // Why, for a kRefused report.

  // Whether the call itself runs (possibly as another call, or by sysgate).
  bool Runs() const {
    return kind == Kind::kAllow || kind == Kind::kInspect ||
           kind == Kind::kRewrite || kind == Kind::kBroker;
  }
  // Whether it needs the call's exit (a syscall-exit stop).
  bool NeedsExit() const {
    return on_return != nullptr || delay_exit > absl::ZeroDuration();
  }
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_ENGINE_DECISION_H_
