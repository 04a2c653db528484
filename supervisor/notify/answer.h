// What a notified call gets back, and the one place it is sent
// (SECCOMP_IOCTL_NOTIF_SEND, or ADDFD with SECCOMP_ADDFD_FLAG_SEND for a
// descriptor). No notification is left unanswered: an answer the kernel
// refuses (an ADDFD of a descriptor it will not install, say) falls back
// to an error answer with that errno, and if even that fails the caller's
// process is killed, so a program never hangs on a call sysgate forgot.
#ifndef SYSGATE_SUPERVISOR_NOTIFY_ANSWER_H_
#define SYSGATE_SUPERVISOR_NOTIFY_ANSWER_H_

#include <sys/types.h>

#include <cstdint>

#include "absl/status/status.h"

namespace sysgate {

struct Answer {
  enum class Kind : uint8_t {
    kValue,     // The call returns `value`.
    kError,     // The call fails with errno `error`.
    kFd,        // `fd` (ours) is installed at the caller's lowest free
                // number, which the call returns.
    kContinue,  // The call runs as made (SECCOMP_USER_NOTIF_FLAG_CONTINUE):
                // only where its arguments cannot be raced to harm.
  };
  Kind kind = Kind::kError;
  int64_t value = 0;
  int error = 0;
  int fd = -1;
  bool close_on_exec = false;

  static Answer Value(int64_t v) { return {Kind::kValue, v, 0, -1, false}; }
  static Answer Error(int e) { return {Kind::kError, 0, e, -1, false}; }
  static Answer Fd(int fd, bool cloexec) {
    return {Kind::kFd, 0, 0, fd, cloexec};
  }
  static Answer Continue() { return {Kind::kContinue, 0, 0, -1, false}; }
};

// Answers notification `id` of a thread of process `pid` (a thread's id
// does: kill(2) of it ends its process). NotFound when
// the notification is gone (the caller died, or a signal interrupted the
// call, which it may then make again); Internal when it could not be
// answered at all, after the process was killed.
absl::Status SendAnswer(int listener, uint64_t id, pid_t pid,
                        const Answer& answer);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_ANSWER_H_
