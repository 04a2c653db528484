// What sysgate tells the user: one stderr line per denied call (unless
// quiet), and with --log one JSON object per event (JSON Lines).
#ifndef SYSGATE_SUPERVISOR_REPORT_REPORT_H_
#define SYSGATE_SUPERVISOR_REPORT_REPORT_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "arch/abi.h"
#include "arch/syscall_stop.h"
#include "supervisor/engine/provenance.h"
#include "supervisor/report/line_writer.h"
#include "supervisor/report/stack_trace.h"

namespace sysgate {

struct CallInfo {
  AbiId abi = AbiId::kX86_64;
  std::string name;
  int nr = -1;
  std::array<uint64_t, 6> args{};
  std::string text;  // Decoded: openat(AT_FDCWD, "/etc/passwd", O_RDONLY).
  bool vsyscall = false;
  uint64_t ip = 0;
};

// A stopped call for an event; `decode` adds the strace-like text (which
// reads tracee memory).
CallInfo CallInfoOf(const SyscallStop& stop, bool decode);

struct Event {
  enum class Kind {
    kViolation,  // A rule or the default denied a call (errno, kill, trap).
    kLog,        // A `log` rule saw a call.
    kEmulate,    // An `emulate` rule answered a call.
    kInject,     // An --inject fired.
    kRefused,    // A rewrite sysgate would not do (vsyscall); ENOSYS.
    kForeign,  // The program's own filter asked for a stop we had no rule for.
    kExec,
    kExit,
    kSignal,
  };
  Kind kind = Kind::kViolation;
  pid_t pid = 0;
  pid_t tid = 0;
  std::string program;  // The process's name (/proc/PID/comm), read when shown.
  absl::optional<CallInfo> call;
  std::string action;  // As in a policy: "errno(EACCES)", "kill".
  std::string rule;    // "file:line", "default", "--inject=...": `by`'s text.
  Provenance by;       // Who decided (call events).
  bool foreign = false;
  std::string detail;
  std::string path;               // kExec.
  int status = 0;                 // kExit: shell-style status.
  int signal = 0;                 // kSignal, kExit by signal.
  std::vector<StackFrame> stack;  // Violations, with --stack.
};

struct ReportOptions {
  bool quiet = false;         // No stderr lines for denials.
  bool stack_traces = false;  // Unwind the stack of every violation.
  bool decode_all = false;    // Decode every call event (the library's events).
};

class Reporter {
 public:
  // Either writer may be null (no report lines, no --log).
  Reporter(ReportOptions options, const LineWriter* stderr_lines,
           const LineWriter* log);

  // Called while the event's thread is stopped (or its notification
  // pending): anything read from the tracee (the stack, its name) is read
  // here. Thread-safe: the notification server reports from its own thread.
  void Report(const Event& event);
  // Whether events of this kind are shown anywhere with their decoded
  // call text (decoding reads tracee memory: skip it when nobody looks).
  bool WantsText(Event::Kind kind) const;
  // Whether an event of this kind goes anywhere at all (stderr, the log,
  // an observer): callers skip building the ones nobody sees.
  bool Wants(Event::Kind kind) const;
  // Also hands every event to `observer` (sysgate learn).
  void SetObserver(std::function<void(const Event&)> observer) {
    observer_ = std::move(observer);
  }

  // The stderr text for an event (one line, then its stack), or empty.
  static std::string HumanLine(const Event& event);
  static std::string JsonLine(const Event& event);

 private:
  ReportOptions options_;
  const LineWriter* stderr_;
  const LineWriter* log_;
  std::function<void(const Event&)> observer_;
  // Serializes Report. std::mutex, not absl::Mutex: Debian's Abseil is
  // built without TSan's annotations, so TSan could not see its ordering.
  std::mutex mutex_;
};

const char* EventName(Event::Kind kind);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_REPORT_REPORT_H_
