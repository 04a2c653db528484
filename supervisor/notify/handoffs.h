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
// arguments and instruction too, so at most the very call filed can be
// served: the same instruction with the same registers, which is the call
// made again (a signal's restart of it, say).
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
  // For `tid`'s call at instruction pointer `ip`.
  void File(pid_t tid, uint64_t ip, Decision decision);
  // The decision filed for `tid`'s call `nr` (its own number, on its ABI)
  // with `args` at `ip`, once; nullopt if none was.
  absl::optional<Decision> Take(pid_t tid, int nr,
                                const std::array<uint64_t, 6>& args,
                                uint64_t ip);
  // Whatever `tid` had filed: its call is over, or it is gone.
  void Forget(pid_t tid);

 private:
  // Filed on the event loop's thread, taken on the notification server's.
  // std::mutex, not absl::Mutex: TSan sees its ordering (report.h).
  std::mutex mutex_;
  struct Filed {
    uint64_t ip;
    Decision decision;
  };
  absl::flat_hash_map<pid_t, Filed> filed_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_HANDOFFS_H_
