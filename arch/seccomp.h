// The seccomp(2) edge: installing a filter, and the user-notification
// interface (Linux 5.0; ADDFD 5.9, ADDFD_FLAG_SEND 5.14) that the
// notification server stands on. Every notification call returns a Status;
// ENOENT from the notification ioctls means the notification is gone (the
// caller died or was interrupted by a signal), which callers treat as
// normal (NotificationGone).
#ifndef SYSGATE_ARCH_SECCOMP_H_
#define SYSGATE_ARCH_SECCOMP_H_

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sysgate {

// seccomp(SECCOMP_SET_MODE_FILTER, flags, program): the new listener's fd
// with SECCOMP_FILTER_FLAG_NEW_LISTENER, else 0; -1 with errno on failure.
// One raw system call on data prepared by the caller: async-signal-safe,
// for the launcher's child between fork and exec.
long InstallFilter(unsigned long flags, const sock_fprog* program);
// prctl(PR_SET_NO_NEW_PRIVS, 1), which an unprivileged filter needs: 0, or
// -1 with errno. Async-signal-safe, like InstallFilter.
int SetNoNewPrivs();

// Whether a notification ioctl failed because the notification is gone
// (its caller died, or a signal interrupted the call) or was answered by
// another thread already: not an error.
bool NotificationGone(const absl::Status& status);
// The errno a failed answer (RespondNotification, RespondWithFd, ...)
// failed with; EIO for any other status.
int FailedErrno(const absl::Status& status);

// Asks the kernel to wake the listener on the notifying thread's CPU
// (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6; newer than the installed
// headers). A bare notification round trip drops from ~43 to ~5.5 us
// unpinned on this VM (../shared/kernel-facts.md); a brokered open, whose
// cost is mostly its own path work, did not measurably change. False on
// older kernels, which is harmless.
bool SetSyncWakeUp(int listener);

// Blocks in SECCOMP_IOCTL_NOTIF_RECV until a notification is taken; any
// number of threads may wait at once, and each notification goes to one of
// them. Unavailable when a signal interrupted the wait; Cancelled once no
// process uses the filter (Linux 6.6+ ends the wait then; before that,
// only a signal does).
absl::StatusOr<seccomp_notif> ReceiveNotification(int listener);

// SECCOMP_IOCTL_NOTIF_SEND of an error and nothing else: async-signal-safe,
// for signal handlers. False if the kernel took no answer (gone already).
bool FailNotificationNow(int listener, uint64_t id, int error);
// Whether the notification is still pending (its caller has not died and
// its pid not been reused): check after reading the caller's memory.
bool NotificationValid(int listener, uint64_t id);
// Answers with an error (-errno) or a value.
absl::Status RespondNotification(int listener, uint64_t id, int64_t value,
                                 int error);
// Lets the call run as the program made it (SECCOMP_USER_NOTIF_FLAG_
// CONTINUE): only for calls whose arguments cannot be raced to harm.
absl::Status RespondContinue(int listener, uint64_t id);
// Installs `fd` in the caller at its lowest free descriptor and makes that
// number the call's result, atomically (SECCOMP_ADDFD_FLAG_SEND).
absl::Status RespondWithFd(int listener, uint64_t id, int fd,
                           bool close_on_exec);

}  // namespace sysgate

#endif  // SYSGATE_ARCH_SECCOMP_H_
