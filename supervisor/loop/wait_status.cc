#include "supervisor/loop/wait_status.h"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "absl/strings/str_cat.h"
#include "filters/constants.h"

namespace sysgate {

WaitStatus WaitStatus::Decode(int raw) {
  WaitStatus s;
  if (WIFEXITED(raw)) {
    s.kind_ = Kind::kExited;
    s.value_ = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    s.kind_ = Kind::kKilled;
    s.value_ = WTERMSIG(raw);
    s.core_ = WCOREDUMP(raw);
  } else if (WIFSTOPPED(raw)) {
    int sig = WSTOPSIG(raw);
    int event = (raw >> 16) & 0xff;
    s.value_ = sig;
    if (sig == (SIGTRAP | 0x80)) {
      s.kind_ = Kind::kSyscallStop;
      s.value_ = SIGTRAP;
    } else if (event == PTRACE_EVENT_STOP) {
      bool stopping =
          sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
      s.kind_ = stopping ? Kind::kGroupStop : Kind::kEventStop;
    } else if (event != 0) {
      s.kind_ = Kind::kPtraceEvent;
      s.event_ = event;
    } else {
      s.kind_ = Kind::kSignalStop;
    }
  }
  return s;
}

int WaitStatus::ShellStatus() const {
  return kind_ == Kind::kExited ? value_ : 128 + value_;
}

std::string WaitStatus::ToString() const {
  switch (kind_) {
    case Kind::kExited:
      return absl::StrCat("exited ", value_);
    case Kind::kKilled:
      return absl::StrCat("killed by ", SignalName(value_),
                          core_ ? " (core dumped)" : "");
    case Kind::kSignalStop:
      return absl::StrCat("signal-delivery-stop ", SignalName(value_));
    case Kind::kGroupStop:
      return absl::StrCat("group-stop ", SignalName(value_));
    case Kind::kEventStop:
      return "event-stop";
    case Kind::kPtraceEvent:
      return absl::StrCat("ptrace-event ", event_);
    case Kind::kSyscallStop:
      return "syscall-stop";
  }
  return "?";
}

}  // namespace sysgate
