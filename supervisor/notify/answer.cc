#include "supervisor/notify/answer.h"

#include <errno.h>
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "arch/process.h"
#include "arch/seccomp.h"

namespace sysgate {
namespace {

absl::Status Send(int listener, uint64_t id, const Answer& a) {
  switch (a.kind) {
    case Answer::Kind::kValue:
      return RespondNotification(listener, id, a.value, 0);
    case Answer::Kind::kError:
      return RespondNotification(listener, id, 0, a.error);
    case Answer::Kind::kFd:
      return RespondWithFd(listener, id, a.fd, a.close_on_exec);
    case Answer::Kind::kContinue:
      return RespondContinue(listener, id);
  }
  return absl::InternalError("unknown answer");
}

}  // namespace

absl::Status SendAnswer(int listener, uint64_t id, pid_t pid,
                        const Answer& answer) {
  absl::Status sent = Send(listener, id, answer);
  if (sent.ok() || NotificationGone(sent)) return sent;
  if (answer.kind != Answer::Kind::kError) {
    // The kernel refused this answer (ADDFD of a descriptor it will not
    // install, a full descriptor table): fail the call with why.
    absl::Status failed = Send(listener, id, Answer::Error(FailedErrno(sent)));
    if (failed.ok() || NotificationGone(failed)) return failed;
  }
  SendSignal(pid, SIGKILL).IgnoreError();  // Gone already: nothing hangs.
  return absl::InternalError(absl::StrCat("cannot answer a call of pid ", pid,
                                          " (", sent.message(),
                                          "); it was killed"));
}

}  // namespace sysgate
