// The notification server: a thread of sysgate's that receives the user
// notifications of the program's notification filter and has the
// notification transport answer each one, until the run ends or no process
// uses the filter any more.
#ifndef SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_SERVER_H_
#define SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_SERVER_H_

#include <thread>

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

  // Serves `listener` (which it takes over) on its own thread.
  absl::Status Start(int listener);
  // Stops serving and joins the thread; the listener is closed.
  void Stop();

 private:
  void Serve();

  const NotifyTransport& transport_;
  int listener_ = -1;
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_SERVER_H_
