// The seccomp user-notification interface (Linux 5.0; ADDFD 5.9,
// ADDFD_FLAG_SEND 5.14) and openat2 (5.6): the edge the file broker stands
// on. Every call returns a Status; ENOENT from the notification ioctls
// means the notification is gone (the caller died or was interrupted by a
// signal), which callers treat as normal.
#ifndef SYSGATE_ARCH_SECCOMP_NOTIFY_H_
#define SYSGATE_ARCH_SECCOMP_NOTIFY_H_

#include <linux/seccomp.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sysgate {

// Asks the kernel to wake the listener on the notifying thread's CPU
// (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6; newer than the installed
// headers). A bare notification round trip drops from ~43 to ~5.5 us
// unpinned on this VM (../shared/kernel-facts.md); a brokered open, whose
// cost is mostly its own path work, did not measurably change. False on
// older kernels, which is harmless.
bool SetSyncWakeUp(int listener);

// Blocks until a notification arrives or `wake_fd` becomes readable (then
// NotFound), or the filter has no users left (Cancelled).
absl::StatusOr<seccomp_notif> ReceiveNotification(int listener, int wake_fd);
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

struct OpenHow {
  uint64_t flags = 0;
  uint64_t mode = 0;
  uint64_t resolve = 0;
};
// openat2(2). The program must see the exact errno, so this returns it
// as is rather than as a Status.
struct OpenResult {
  int fd = -1;
  int error = 0;  // When fd < 0.
};
OpenResult OpenAt2(int dirfd, const std::string& path, const OpenHow& how);

}  // namespace sysgate

#endif  // SYSGATE_ARCH_SECCOMP_NOTIFY_H_
