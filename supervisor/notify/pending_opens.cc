#include "supervisor/notify/pending_opens.h"

#include <errno.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>

#include "arch/procfs.h"
#include "arch/seccomp.h"

namespace sysgate {
namespace {

// Lock-free, as a signal handler reads them: a slot is claimed through
// `used`, then `id` and `tgid`, then `listener` (>= 0: published) are
// stored.
struct Slot {
  std::atomic<bool> used{false};
  std::atomic<uint64_t> id{0};
  std::atomic<pid_t> tgid{0};
  std::atomic<int> listener{-1};
};
Slot g_slots[kMaxPending];
std::atomic<uint64_t> g_epoch{0};
thread_local uint64_t t_epoch_before_wait = 0;
thread_local uint64_t t_epoch_after_wait = 0;

}  // namespace

void NoteSignalEpochBeforeWait() { t_epoch_before_wait = g_epoch.load(); }

void NoteSignalEpochAfterWait() { t_epoch_after_wait = g_epoch.load(); }

uint64_t NotedSignalEpoch(pid_t tid) {
  if (t_epoch_before_wait == t_epoch_after_wait) return t_epoch_after_wait;
  return InterruptingSignalPending(tid) ? t_epoch_before_wait
                                        : t_epoch_after_wait;
}

std::unique_ptr<PendingOpenSlot> PendingOpenSlot::Claim(int listener,
                                                        uint64_t id, pid_t tgid,
                                                        uint64_t epoch) {
  for (int i = 0; i < kMaxPending; ++i) {
    bool free = false;
    if (!g_slots[i].used.compare_exchange_strong(free, true)) continue;
    g_slots[i].id.store(id);
    g_slots[i].tgid.store(tgid);
    g_slots[i].listener.store(listener);
    return std::unique_ptr<PendingOpenSlot>(new PendingOpenSlot(i, epoch));
  }
  return nullptr;
}

// Read after the slot is published: a signal from then on finds the slot;
// one before it moved the epoch (InterruptPendingOpens moves it first).
bool PendingOpenSlot::interrupted() const { return g_epoch.load() != epoch_; }

PendingOpenSlot::~PendingOpenSlot() {
  g_slots[slot_].listener.store(-1);
  g_slots[slot_].used.store(false);
}

PeriodicWake::PeriodicWake(int signal, int period_ms) {
  struct sigevent event = {};
  event.sigev_notify = SIGEV_THREAD_ID;
  event.sigev_signo = signal;
  event._sigev_un._tid = gettid();
  if (timer_create(CLOCK_MONOTONIC, &event, &timer_) != 0) return;
  struct itimerspec every = {};
  every.it_interval.tv_sec = period_ms / 1000;
  every.it_interval.tv_nsec = (period_ms % 1000) * 1000000L;
  every.it_value = every.it_interval;
  if (timer_settime(timer_, 0, &every, nullptr) != 0) {
    timer_delete(timer_);
    return;
  }
  armed_ = true;
  sigset_t wake;
  sigemptyset(&wake);
  sigaddset(&wake, signal);
  pthread_sigmask(SIG_UNBLOCK, &wake, &before_);
}

PeriodicWake::~PeriodicWake() {
  if (!armed_) return;
  // Blocked again first: a wake-up queued meanwhile waits, harmless, until
  // the thread ends.
  pthread_sigmask(SIG_SETMASK, &before_, nullptr);
  timer_delete(timer_);
}

void InterruptPendingOpens(pid_t tgid) {
  g_epoch.fetch_add(1);
  for (Slot& slot : g_slots) {
    int listener = slot.listener.load();
    if (listener < 0 || (tgid != 0 && slot.tgid.load() != tgid)) continue;
    FailNotificationNow(listener, slot.id.load(), EINTR);
  }
}

}  // namespace sysgate
