// The raw int from waitpid(2), decoded once into what happened to a tracee
// (after rr's WaitStatus). With PTRACE_SEIZE and PTRACE_O_TRACESYSGOOD every
// stop is one of these (ptrace(2), "Stopped states"):
//
//   kExited        the thread group's last... or this thread exited; code.
//   kKilled        terminated by a signal; signal, core_dumped.
//   kSignalStop    signal-delivery-stop: the tracee is about to receive
//                  `signal`; resume with it to deliver, 0 to suppress.
//   kGroupStop     PTRACE_EVENT_STOP with a stopping signal: the tracee
//                  entered group-stop (SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU);
//                  resume with PTRACE_LISTEN so SIGCONT still works.
//   kEventStop     PTRACE_EVENT_STOP with SIGTRAP: a new auto-attached
//                  child's first stop, or PTRACE_INTERRUPT.
//   kPtraceEvent   PTRACE_EVENT_{FORK,VFORK,CLONE,EXEC,VFORK_DONE,EXIT,
//                  SECCOMP}; `event`.
//   kSyscallStop   syscall-entry or -exit stop after PTRACE_SYSCALL
//                  (SIGTRAP | 0x80). sysgate only asks for exit stops.
#ifndef SYSGATE_SUPERVISOR_LOOP_WAIT_STATUS_H_
#define SYSGATE_SUPERVISOR_LOOP_WAIT_STATUS_H_

#include <string>

namespace sysgate {

class WaitStatus {
 public:
  enum class Kind {
    kExited,
    kKilled,
    kSignalStop,
    kGroupStop,
    kEventStop,
    kPtraceEvent,
    kSyscallStop,
  };

  static WaitStatus Decode(int raw);

  Kind kind() const { return kind_; }
  int exit_code() const { return value_; }    // kExited.
  int signal() const { return value_; }       // kKilled and the stops.
  int event() const { return event_; }        // kPtraceEvent.
  bool core_dumped() const { return core_; }  // kKilled.
  bool is_stop() const {
    return kind_ != Kind::kExited && kind_ != Kind::kKilled;
  }
  // The exit status a shell would report: code, or 128 + signal.
  int ShellStatus() const;
  std::string ToString() const;

 private:
  Kind kind_ = Kind::kExited;
  int value_ = 0;
  int event_ = 0;
  bool core_ = false;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_LOOP_WAIT_STATUS_H_
