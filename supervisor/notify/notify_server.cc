#include "supervisor/notify/notify_server.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "absl/strings/str_format.h"
#include "arch/file_calls.h"
#include "arch/seccomp.h"
#include "supervisor/notify/pending_opens.h"

namespace sysgate {

NotifyServer::~NotifyServer() { Stop(); }

// Four, whatever the CPUs: a call arrives while others are being served,
// some of them slow (a 4 MiB message read from the program, a page the
// kernel must fault in for process_vm_readv), and a waiting worker costs
// nothing. Measured on this 2-CPU VM (bench/suite, open group, noisy
// between runs): two workers or four, one thread's open costs the same
// within the noise, pinned and unpinned; with two threads opening at once
// four gave 1.28x one thread's throughput, two 1.41x in another run.
int NotifyServer::DefaultWorkers() { return 4; }

namespace {

void Woken(int) {}

// Once per process: a handler that only interrupts (no SA_RESTART, which
// would restart the wait on Linux 6.6+, where it ends with -ERESTARTSYS),
// in place of whatever was there: the default action (for a real-time
// signal, to terminate), ignoring it (which would not interrupt the
// wait), or a host program's handler, which might restart it.
absl::Status InstallWakeHandler() {
  static const int error = [] {
    struct sigaction sa = {};
    sa.sa_handler = Woken;
    sigemptyset(&sa.sa_mask);
    return sigaction(NotifyServer::WakeSignal(), &sa, nullptr) == 0 ? 0 : errno;
  }();
  return error ? absl::ErrnoToStatus(error, "sigaction for the notify server")
               : absl::OkStatus();
}

}  // namespace

int NotifyServer::WakeSignal() { return SIGRTMAX - 2; }

sigset_t NotifyServer::WakeSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, WakeSignal());
  return set;
}

absl::Status NotifyServer::Start(int listener, int workers) {
  listener_ = listener;
  // Wakes this thread on the notifying thread's CPU (Linux 6.6+; harmless
  // where absent): a round trip drops from ~43 to ~5.5 us unpinned here.
  SetSyncWakeUp(listener_);
  if (absl::Status installed = InstallWakeHandler(); !installed.ok())
    return installed;
  stopping_ = false;
  // Blocked in the starting thread (sysgate's main one), so that only the
  // workers, which unblock it, ever take it: sent to sysgate by anyone
  // else, it interrupts nothing of the rest.
  sigset_t wake = WakeSignalSet();
  pthread_sigmask(SIG_BLOCK, &wake, nullptr);
  // Counted from inside: a worker counted before Stop's flag was set is
  // one Stop waits for, one counted after sees the flag and leaves.
  for (int i = 0; i < std::max(1, workers); ++i) {
    workers_.emplace_back([this] {
      ++serving_;
      Serve();
      --serving_;
    });
  }
  return absl::OkStatus();
}

void NotifyServer::Stop() {
  stopping_ = true;
  // Again until every worker is out: a signal that came just before a
  // worker entered its wait did not end that wait.
  while (serving_.load() > 0) {
    for (std::thread& worker : workers_)
      pthread_kill(worker.native_handle(), WakeSignal());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  if (listener_ >= 0) close(listener_);
  listener_ = -1;
}

void NotifyServer::Serve() {
  // The broker creates files here with each caller's umask, which must
  // not be sysgate's other threads' (supervisor/notify/broker_change.cc).
  if (int error = UseOwnFileSystemContext()) {
    absl::FPrintF(stderr, "sysgate: unshare(CLONE_FS): %s\n", strerror(error));
  }
  sigset_t wake = WakeSignalSet();
  pthread_sigmask(SIG_UNBLOCK, &wake, nullptr);
  while (!stopping_.load()) {
    NoteSignalEpochBeforeWait();
    absl::StatusOr<seccomp_notif> notif = ReceiveNotification(listener_);
    NoteSignalEpochAfterWait();
    if (absl::IsUnavailable(notif.status())) continue;  // A signal.
    if (absl::IsCancelled(notif.status())) return;      // No process left.
    if (!notif.ok()) {
      absl::FPrintF(stderr, "sysgate: %s\n", notif.status().message());
      return;
    }
    absl::Status answered = transport_.Serve(listener_, *notif);
    if (!answered.ok() && !NotificationGone(answered))
      absl::FPrintF(stderr, "sysgate: %s\n", answered.message());
  }
}

}  // namespace sysgate
