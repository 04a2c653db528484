#include "supervisor/notify/notify_server.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_format.h"
#include "arch/file_calls.h"
#include "arch/seccomp.h"
#include "supervisor/notify/pending_opens.h"

namespace sysgate {

NotifyServer::~NotifyServer() { Stop(); }

// Four, whatever the CPUs: a worker that finished a call queues for the
// next behind those waiting already, so with spare workers one is always
// polling when a call arrives, and none waits to be woken to take its turn.
// Measured on this 2-CPU VM (bench/suite, open group): with two threads
// opening at once, two workers gave 1.2x one thread's throughput, four
// 1.9x; one thread alone, unpinned, ~90 us an open with four, 120 to 400
// with one (pinned to one CPU, where each hand-over of the wait is a
// context switch, four cost ~10 us more: ~60 against ~50).
int NotifyServer::DefaultWorkers() { return 4; }

absl::Status NotifyServer::Start(int listener, int workers) {
  listener_ = listener;
  // Wakes this thread on the notifying thread's CPU (Linux 6.6+; harmless
  // where absent): a round trip drops from ~43 to ~5.5 us unpinned here.
  SetSyncWakeUp(listener_);
  if (pipe2(wake_, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  for (int i = 0; i < std::max(1, workers); ++i)
    workers_.emplace_back([this] { Serve(); });
  return absl::OkStatus();
}

void NotifyServer::Stop() {
  if (!workers_.empty()) {
    // Never read: the pipe stays readable, so each worker in turn sees it.
    char c = 0;
    (void)!write(wake_[1], &c, 1);
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
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
    absl::StatusOr<seccomp_notif> notif;
    {
      std::lock_guard<std::mutex> receiving(receiving_);
      notif = ReceiveNotification(listener_, wake_[0], NoteSignalEpoch);
    }
    if (!notif.ok()) return;  // Woken, or no process left.
    absl::Status answered = transport_.Serve(listener_, *notif);
    if (!answered.ok() && !NotificationGone(answered))
      absl::FPrintF(stderr, "sysgate: %s\n", answered.message());
  }
}

}  // namespace sysgate
