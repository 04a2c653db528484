// The broker's opens that may block (a FIFO waiting for its other end),
// each on a thread of its own (notify_transport.cc), and how a signal ends
// them. A caller parked on such an open waits killably (the notification
// filter's WAIT_KILLABLE_RECV), and under ptrace even a default-fatal
// signal is not fatal to it, so a SIGTERM sent to sysgate and forwarded to
// the program would wait for the open forever. Instead a signal sysgate
// forwards fails the pending opens of the process it goes to with EINTR,
// from the signal handler itself (an ioctl is async-signal-safe): the
// call returns and the signal it holds is delivered. The open itself may
// go on blocking on its thread; whatever it returns later finds the call
// answered.
//
// No signal falls between the cracks: a server thread notes the signal
// epoch before it waits for a notification and again once it has one.
// Until a notification is taken the caller's wait is interruptible and the
// kernel ends the call itself; an open registered after a later signal is
// failed at once; and when a signal came while the server waited, the
// caller's own pending signals tell whether it came too late for the
// kernel to end the call. At most kMaxPending
// opens wait at once: a program cannot park threads without bound.
//
// A pending call's thread is woken every kPendingWakeMs (PeriodicWake):
// its blocking open or connect returns EINTR, and the thread looks at its
// caller. Without that, the open of a FIFO whose caller was killed would
// hold its thread and slot until the FIFO's other end came, and a program
// could fill every slot with killed children; and a signal the caller
// handles (its own alarm) could not end a FIFO open, as the kernel's does.
#ifndef SYSGATE_SUPERVISOR_NOTIFY_PENDING_OPENS_H_
#define SYSGATE_SUPERVISOR_NOTIFY_PENDING_OPENS_H_

#include <signal.h>
#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <memory>

namespace sysgate {

inline constexpr int kMaxPending = 64;
inline constexpr int kPendingWakeMs = 100;

// While it lives, `signal` (whose handler must not have SA_RESTART) is
// unblocked in the calling thread and sent to it every `period_ms`, from
// a timer of its own. Where the timer cannot be had, the thread is never
// woken: a killed caller's slot then waits for the call's other end.
class PeriodicWake {
 public:
  PeriodicWake(int signal, int period_ms);
  ~PeriodicWake();
  PeriodicWake(const PeriodicWake&) = delete;
  PeriodicWake& operator=(const PeriodicWake&) = delete;

 private:
  timer_t timer_{};
  bool armed_ = false;
  sigset_t before_{};
};

// Note the epoch for the calling thread: before it waits for a
// notification, and once it has taken one.
void NoteSignalEpochBeforeWait();
void NoteSignalEpochAfterWait();
// The epoch a pending call of thread `tid`, whose notification the calling
// thread took, registers with: the one before the wait if a signal came
// during it and `tid` holds an interrupting signal (it may have come after
// the call was taken, when only sysgate can end it), else the later one.
uint64_t NotedSignalEpoch(pid_t tid);

// A registered pending open: notification `id` of a thread of process
// `tgid`, answered through `listener`. Released when destroyed.
class PendingOpenSlot {
 public:
  // Null when kMaxPending are registered already.
  static std::unique_ptr<PendingOpenSlot> Claim(int listener, uint64_t id,
                                                pid_t tgid, uint64_t epoch);
  ~PendingOpenSlot();
  PendingOpenSlot(const PendingOpenSlot&) = delete;
  PendingOpenSlot& operator=(const PendingOpenSlot&) = delete;

  // A signal was forwarded since `epoch`: fail the call with EINTR now.
  bool interrupted() const;

 private:
  PendingOpenSlot(int slot, uint64_t epoch) : slot_(slot), epoch_(epoch) {}
  int slot_;
  uint64_t epoch_;
};

// Async-signal-safe, for the CLI's signal forwarder: fails the pending
// opens of process `tgid` (0: of every process) with EINTR.
void InterruptPendingOpens(pid_t tgid);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_PENDING_OPENS_H_
