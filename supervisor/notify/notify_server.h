// The notification server: threads of sysgate's that receive the user
// notifications of the program's notification filter and have the
// notification transport answer each one, until the run ends or no process
// uses the filter any more. Several serve at once, so that one thread's
// call never waits for another's (each call's work is sysgate's: its
// resolution, checks and the call itself).
#ifndef SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_SERVER_H_
#define SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_SERVER_H_

#include <signal.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "supervisor/notify/notify_transport.h"

namespace sysgate {

class NotifyServer {
 public:
  explicit NotifyServer(const NotifyTransport& transport)
      : transport_(transport) {}
  ~NotifyServer();
  NotifyServer(const NotifyServer&) = delete;
  NotifyServer& operator=(const NotifyServer&) = delete;

  // How many threads serve.
  static int DefaultWorkers();

  // Serves `listener` (which it takes over) on `workers` threads.
  absl::Status Start(int listener, int workers = DefaultWorkers());
  // Stops serving and joins the threads; the listener is closed.
  void Stop();

  // What Stop sends a worker waiting for a notification: the high end of
  // the real-time range, which libraries rarely claim (glibc's own are at
  // the low end). sysgate's handler for it does nothing; a program that
  // embeds the library must leave that signal to it.
  static int WakeSignal();
  static sigset_t WakeSignalSet();

 private:
  void Serve();

  const NotifyTransport& transport_;
  int listener_ = -1;
  // Every worker waits in SECCOMP_IOCTL_NOTIF_RECV itself, which takes one
  // notification for one waiter: no hand-over between threads on the way
  // to a call. Neither a pipe nor (before Linux 6.6) the filter's
  // orphaning ends that wait; Stop's signal does (kWakeSignal).
  std::atomic<bool> stopping_{false};
  std::atomic<int> serving_{0};
  std::vector<std::thread> workers_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_SERVER_H_
