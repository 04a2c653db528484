// The broker's opens that may block (a FIFO waiting for its other end),
// each on a thread of its own (notify_transport.cc), and how a signal ends
// them. A caller parked on such an open waits killably (the notification
// filter's WAIT_KILLABLE_RECV), and under ptrace even a default-fatal
// signal is not fatal to it, so a SIGTERM sent to sysgate and forwarded to
// the program would wait for the open forever. Instead each signal sysgate
// forwards fails every pending open with EINTR, from the signal handler
// itself (an ioctl is async-signal-safe): the caller's call returns and the
// signal it holds is delivered. The open itself may go on blocking on its
// thread; whatever it returns later finds the call answered.
//
// No signal falls between the cracks: the server thread notes the signal
// epoch just before it receives a notification (before that, the caller's
// wait is interruptible and the kernel ends the call itself), and an open
// registered after a later signal is failed at once.
#ifndef SYSGATE_SUPERVISOR_NOTIFY_PENDING_OPENS_H_
#define SYSGATE_SUPERVISOR_NOTIFY_PENDING_OPENS_H_

#include <cstdint>

namespace sysgate {

// For ReceiveNotification's hook: notes the epoch for the calling thread.
void NoteSignalEpoch(void* unused);
// What the calling thread noted last.
uint64_t NotedSignalEpoch();

// Registers the open of notification `id`, answered through `listener`,
// for as long as it lives. Up to 64 at once; more are served all the same,
// but a signal does not end them.
class InterruptibleOpen {
 public:
  InterruptibleOpen(int listener, uint64_t id, uint64_t epoch);
  ~InterruptibleOpen();
  InterruptibleOpen(const InterruptibleOpen&) = delete;
  InterruptibleOpen& operator=(const InterruptibleOpen&) = delete;

  // A signal was forwarded since `epoch`: fail the call with EINTR now.
  bool interrupted() const { return interrupted_; }

 private:
  int slot_ = -1;
  bool interrupted_ = false;
};

// Async-signal-safe: for the CLI's signal forwarder.
void InterruptPendingOpens();

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_PENDING_OPENS_H_
