#include "supervisor/notify/notify_server.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_format.h"
#include "arch/file_calls.h"
#include "arch/seccomp.h"
#include "supervisor/notify/pending_opens.h"

namespace sysgate {

NotifyServer::~NotifyServer() { Stop(); }

absl::Status NotifyServer::Start(int listener) {
  listener_ = listener;
  // Wakes this thread on the notifying thread's CPU (Linux 6.6+; harmless
  // where absent): a round trip drops from ~43 to ~5.5 us unpinned here.
  SetSyncWakeUp(listener_);
  if (pipe2(wake_, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  thread_ = std::thread([this] { Serve(); });
  return absl::OkStatus();
}

void NotifyServer::Stop() {
  if (thread_.joinable()) {
    char c = 0;
    (void)!write(wake_[1], &c, 1);
    thread_.join();
  }
  for (int* fd : {&wake_[0], &wake_[1], &listener_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

void NotifyServer::Serve() {
  // The broker creates files here with each caller's umask, which must
  // not be sysgate's other threads' (supervisor/notify/broker_change.cc).
  if (int error = UseOwnFileSystemContext()) {
    absl::FPrintF(stderr, "sysgate: unshare(CLONE_FS): %s\n", strerror(error));
  }
  while (true) {
    absl::StatusOr<seccomp_notif> notif =
        ReceiveNotification(listener_, wake_[0], NoteSignalEpoch);
    if (!notif.ok()) return;  // Woken, or no process left.
    absl::Status answered = transport_.Serve(listener_, *notif);
    if (!answered.ok() && !NotificationGone(answered))
      absl::FPrintF(stderr, "sysgate: %s\n", answered.message());
  }
}

}  // namespace sysgate
