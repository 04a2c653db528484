// The notification server: threads of sysgate's that receive the user
// notifications of the program's notification filter and have the
// notification transport answer each one, until the run ends or no process
// uses the filter any more. Several serve at once, so that one thread's
// call never waits for another's (each call's work is sysgate's: its
// resolution, checks and the call itself).
#ifndef SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_SERVER_H_
#define SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_SERVER_H_

#include <mutex>
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

 private:
  void Serve();

  const NotifyTransport& transport_;
  int listener_ = -1;
  int wake_[2] = {-1, -1};
  // One worker at a time waits for the next notification (poll, then
  // SECCOMP_IOCTL_NOTIF_RECV), then lets the next one wait while it
  // serves. Were several to poll, all would wake for one notification and
  // the losers block in RECV's semaphore, where neither the wake pipe nor
  // the filter's orphaning (EPOLLHUP only) reaches them at Stop.
  std::mutex receiving_;
  std::vector<std::thread> workers_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_SERVER_H_
