// Calls a ptrace stop hands over to the notification server: a
// Decision::kBroker made at a stop (an injection or a library handler
// passed the call over, or rewrote it, and the policy gives it to the
// broker). The stop files the decision here, then changes the call's
// number to its hand-off number (reserved.h, HandoffNr); the kernel's
// second pass over the filters notifies that number, and the notification
// server takes the decision back for the same thread and call. A program
// that makes a hand-off number itself finds nothing filed and is refused.
// A filing lasts only while its call can still arrive: the thread's next
// seccomp stop, its exec and its exit each end it (a call the program's own
// filter denied after the stop never arrives), and it names the call's
// arguments too, so at most the very call filed can be served.
#ifndef SYSGATE_SUPERVISOR_NOTIFY_HANDOFFS_H_
#define SYSGATE_SUPERVISOR_NOTIFY_HANDOFFS_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "absl/types/optional.h"
#include "supervisor/engine/decision.h"

namespace sysgate {

class Handoffs {
 public:
  void File(pid_t tid, Decision decision);
  // The decision filed for `tid`'s call `nr` (its own number, on its ABI)
  // with `args`, once; nullopt if none was.
  absl::optional<Decision> Take(pid_t tid, int nr,
                                const std::array<uint64_t, 6>& args);
  // Whatever `tid` had filed: its call is over, or it is gone.
  void Forget(pid_t tid);

 private:
  // Filed on the event loop's thread, taken on the notification server's.
  // std::mutex, not absl::Mutex: TSan sees its ordering (report.h).
  std::mutex mutex_;
  absl::flat_hash_map<pid_t, Decision> filed_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_HANDOFFS_H_
