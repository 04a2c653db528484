#include "supervisor/notify/handoffs.h"

#include <utility>

namespace sysgate {

void Handoffs::File(pid_t tid, uint64_t ip, Decision decision) {
  std::lock_guard<std::mutex> lock(mutex_);
  filed_[tid] = {ip, std::move(decision)};
}

absl::optional<Decision> Handoffs::Take(pid_t tid, int nr,
                                        const std::array<uint64_t, 6>& args,
                                        uint64_t ip) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = filed_.find(tid);
  if (it == filed_.end() || it->second.ip != ip ||
      it->second.decision.nr != nr || it->second.decision.args != args)
    return absl::nullopt;
  Decision d = std::move(it->second.decision);
  filed_.erase(it);
  return d;
}

void Handoffs::Forget(pid_t tid) {
  std::lock_guard<std::mutex> lock(mutex_);
  filed_.erase(tid);
}

}  // namespace sysgate
