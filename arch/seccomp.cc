#include "arch/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

namespace sysgate {

long InstallFilter(unsigned long flags, const sock_fprog* program) {
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, program);
}

int SetNoNewPrivs() {
  return static_cast<int>(syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
}

bool NotificationGone(const absl::Status& status) {
  // ENOENT maps to kNotFound. EINPROGRESS: another of sysgate's threads
  // answered first, and the caller has not woken to it yet (the kernel
  // takes one reply: seccomp_notify_send, seccomp_notify_addfd).
  return absl::IsNotFound(status) || FailedErrno(status) == EINPROGRESS;
}

namespace {

constexpr absl::string_view kErrnoPayload = "sysgate/errno";

// The ioctl's failure, with its errno kept (FailedErrno reads it back).
absl::Status Failed(const char* what) {
  int err = errno;
  absl::Status s = absl::ErrnoToStatus(err, what);
  s.SetPayload(kErrnoPayload, absl::Cord(absl::StrCat(err)));
  return s;
}

}  // namespace

int FailedErrno(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kErrnoPayload);
  int err = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &err)) return EIO;
  return err;
}

bool FailNotificationNow(int listener, uint64_t id, int error) {
  struct seccomp_notif_resp resp;
  std::memset(&resp, 0, sizeof(resp));
  resp.id = id;
  resp.error = -error;
  return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
}

absl::StatusOr<seccomp_notif> ReceiveNotification(int listener) {
  while (true) {
    seccomp_notif notif;
    std::memset(&notif, 0, sizeof(notif));
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &notif) == 0) return notif;
    if (errno == EINTR) return absl::UnavailableError("interrupted");
    if (errno != ENOENT)
      return absl::ErrnoToStatus(errno, "SECCOMP_IOCTL_NOTIF_RECV");
    // ENOENT: the caller vanished before its notification was taken, or
    // (Linux 6.6+, whose wait ends when the filter loses its last user) no
    // process is left, which the listener's EPOLLHUP tells apart.
    struct pollfd hup = {listener, 0, 0};
    if (poll(&hup, 1, 0) == 1 && (hup.revents & POLLHUP))
      return absl::CancelledError("no tracee uses the filter any more");
  }
}

bool SetSyncWakeUp(int listener) {
  constexpr unsigned long kSetFlags =
      SECCOMP_IOW(4, __u64);           // SECCOMP_IOCTL_NOTIF_SET_FLAGS
  constexpr uint64_t kSyncWakeUp = 1;  // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
  return ioctl(listener, kSetFlags, kSyncWakeUp) == 0;
}

bool NotificationValid(int listener, uint64_t id) {
  return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

absl::Status RespondNotification(int listener, uint64_t id, int64_t value,
                                 int error) {
  seccomp_notif_resp resp;
  std::memset(&resp, 0, sizeof(resp));
  resp.id = id;
  resp.val = value;
  resp.error = error ? -error : 0;
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
    return absl::OkStatus();
  return Failed("SECCOMP_IOCTL_NOTIF_SEND");
}

absl::Status RespondContinue(int listener, uint64_t id) {
  seccomp_notif_resp resp;
  std::memset(&resp, 0, sizeof(resp));
  resp.id = id;
  resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
    return absl::OkStatus();
  return Failed("SECCOMP_IOCTL_NOTIF_SEND");
}

absl::Status RespondWithFd(int listener, uint64_t id, int fd,
                           bool close_on_exec) {
  seccomp_notif_addfd addfd;
  std::memset(&addfd, 0, sizeof(addfd));
  addfd.id = id;
  addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
  addfd.srcfd = fd;
  addfd.newfd_flags = close_on_exec ? O_CLOEXEC : 0;
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) >= 0)
    return absl::OkStatus();
  return Failed("SECCOMP_IOCTL_NOTIF_ADDFD");
}

}  // namespace sysgate
