#include "supervisor/notify/pending_opens.h"

#include <errno.h>

#include <atomic>

#include "arch/seccomp.h"

namespace sysgate {
namespace {

// Lock-free, as a signal handler reads them: a slot is claimed through
// `used`, then `id`, then `listener` (>= 0: published) are stored.
struct Slot {
  std::atomic<bool> used{false};
  std::atomic<uint64_t> id{0};
  std::atomic<int> listener{-1};
};
constexpr int kSlots = 64;
Slot g_slots[kSlots];
std::atomic<uint64_t> g_epoch{0};
thread_local uint64_t t_noted_epoch = 0;

}  // namespace

void NoteSignalEpoch(void*) { t_noted_epoch = g_epoch.load(); }

uint64_t NotedSignalEpoch() { return t_noted_epoch; }

InterruptibleOpen::InterruptibleOpen(int listener, uint64_t id,
                                     uint64_t epoch) {
  for (int i = 0; i < kSlots; ++i) {
    bool free = false;
    if (g_slots[i].used.compare_exchange_strong(free, true)) {
      g_slots[i].id.store(id);
      g_slots[i].listener.store(listener);
      slot_ = i;
      break;
    }
  }
  // After publishing: a signal from now on finds the slot; one before it
  // moved the epoch (InterruptPendingOpens moves it first).
  interrupted_ = g_epoch.load() != epoch;
}

InterruptibleOpen::~InterruptibleOpen() {
  if (slot_ < 0) return;
  g_slots[slot_].listener.store(-1);
  g_slots[slot_].used.store(false);
}

void InterruptPendingOpens() {
  g_epoch.fetch_add(1);
  for (Slot& slot : g_slots) {
    int listener = slot.listener.load();
    if (listener >= 0) FailNotificationNow(listener, slot.id.load(), EINTR);
  }
}

}  // namespace sysgate
