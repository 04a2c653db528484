#include "supervisor/notify/handoffs.h"

#include <utility>

namespace sysgate {

void Handoffs::File(pid_t tid, Decision decision) {
  std::lock_guard<std::mutex> lock(mutex_);
  filed_[tid] = std::move(decision);
}

absl::optional<Decision> Handoffs::Take(pid_t tid, int nr,
                                        const std::array<uint64_t, 6>& args) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = filed_.find(tid);
  if (it == filed_.end() || it->second.nr != nr || it->second.args != args)
    return absl::nullopt;
  Decision d = std::move(it->second);
  filed_.erase(it);
  return d;
}

void Handoffs::Forget(pid_t tid) {
  std::lock_guard<std::mutex> lock(mutex_);
  filed_.erase(tid);
}

}  // namespace sysgate
