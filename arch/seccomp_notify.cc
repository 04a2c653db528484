#include "arch/seccomp_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

namespace sysgate {

absl::StatusOr<seccomp_notif> ReceiveNotification(int listener, int wake_fd) {
  while (true) {
    struct pollfd fds[2] = {{listener, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "poll on the seccomp listener");
    }
    if (fds[1].revents) return absl::NotFoundError("woken");
    if (fds[0].revents & POLLHUP)
      return absl::CancelledError("no tracee uses the filter any more");
    if (!(fds[0].revents & POLLIN)) continue;
    seccomp_notif notif;
    std::memset(&notif, 0, sizeof(notif));
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &notif) == 0) return notif;
    // ENOENT: the caller vanished between poll and recv.
    if (errno != EINTR && errno != ENOENT)
      return absl::ErrnoToStatus(errno, "SECCOMP_IOCTL_NOTIF_RECV");
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
  return absl::ErrnoToStatus(errno, "SECCOMP_IOCTL_NOTIF_SEND");
}

absl::Status RespondContinue(int listener, uint64_t id) {
  seccomp_notif_resp resp;
  std::memset(&resp, 0, sizeof(resp));
  resp.id = id;
  resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
    return absl::OkStatus();
  return absl::ErrnoToStatus(errno, "SECCOMP_IOCTL_NOTIF_SEND");
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
  return absl::ErrnoToStatus(errno, "SECCOMP_IOCTL_NOTIF_ADDFD");
}

OpenResult OpenAt2(int dirfd, const std::string& path, const OpenHow& how) {
  struct open_how h;
  std::memset(&h, 0, sizeof(h));
  h.flags = how.flags;
  h.mode = how.mode;
  h.resolve = how.resolve;
  long fd = syscall(SYS_openat2, dirfd, path.c_str(), &h, sizeof(h));
  if (fd < 0) return {-1, errno};
  return {static_cast<int>(fd), 0};
}

}  // namespace sysgate
