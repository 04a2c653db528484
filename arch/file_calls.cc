#include "arch/file_calls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "arch/procfs.h"

namespace sysgate {

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

int StatxOfFd(int fd, unsigned flags, unsigned mask, struct statx* out) {
  long rc = syscall(SYS_statx, fd, "", AT_EMPTY_PATH | flags, mask, out);
  return rc == 0 ? 0 : errno;
}

int AccessOfFd(int fd, int mode, int flags) {
  long rc = syscall(SYS_faccessat2, fd, "", mode, AT_EMPTY_PATH | flags);
  return rc == 0 ? 0 : errno;
}

int ChmodOfFd(int fd, mode_t mode) {
  std::string self = absl::StrCat("/proc/self/fd/", fd);
  return chmod(self.c_str(), mode) == 0 ? 0 : errno;
}

int64_t XattrOfFd(int fd, const char* name, void* value, size_t size) {
  std::string self = absl::StrCat("/proc/self/fd/", fd);
  ssize_t n = name != nullptr
                  ? getxattr(self.c_str(), name, value, size)
                  : listxattr(self.c_str(), static_cast<char*>(value), size);
  return n < 0 ? -errno : n;
}

int ChangeXattrOfFd(int fd, const char* name, const std::string* value,
                    int flags) {
  std::string self = absl::StrCat("/proc/self/fd/", fd);
  int rc = value != nullptr ? setxattr(self.c_str(), name, value->data(),
                                       value->size(), flags)
                            : removexattr(self.c_str(), name);
  return rc == 0 ? 0 : errno;
}

bool KernelHasXattrAt() {
  // removexattrat (466 on every ABI) of no descriptor: EBADF where it
  // exists.
  static const bool has =
      syscall(466, -1, "", 0, "", 0, 0) == 0 || errno != ENOSYS;
  return has;
}

int ChownOfFd(int fd, uint32_t uid, uint32_t gid) {
  return fchownat(fd, "", uid, gid, AT_EMPTY_PATH) == 0 ? 0 : errno;
}

int SetTimesOfFd(int fd, const struct timespec* times) {
  return utimensat(fd, "", times, AT_EMPTY_PATH) == 0 ? 0 : errno;
}

int LinkOfFd(int fd, int dirfd, const std::string& name, bool empty_path) {
  int rc = empty_path
               ? linkat(fd, "", dirfd, name.c_str(), AT_EMPTY_PATH)
               : linkat(AT_FDCWD, absl::StrCat("/proc/self/fd/", fd).c_str(),
                        dirfd, name.c_str(), AT_SYMLINK_FOLLOW);
  return rc == 0 ? 0 : errno;
}

int UseOwnFileSystemContext() { return unshare(CLONE_FS) == 0 ? 0 : errno; }

int WatchOfFd(int inotify_fd, int fd, uint32_t mask) {
  // IN_DONT_FOLLOW would stop at /proc/self/fd/N itself; the object was
  // resolved already, following the caller's last symlink or not.
  std::string self = absl::StrCat("/proc/self/fd/", fd);
  int wd = inotify_add_watch(inotify_fd, self.c_str(), mask & ~IN_DONT_FOLLOW);
  return wd >= 0 ? wd : -errno;
}

int FetchDescriptor(pid_t tid, int fd) {
  // PIDFD_THREAD (Linux 6.9) names the thread, whose descriptor table may
  // be its own (a thread made without CLONE_FILES); before it, only a
  // process's leader has a pidfd.
  constexpr unsigned kPidfdThread = O_EXCL;
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, tid, kPidfdThread));
  if (pidfd < 0 && errno == EINVAL)
    pidfd = static_cast<int>(syscall(SYS_pidfd_open, ThreadGroupOf(tid), 0));
  if (pidfd < 0) return -errno;
  int got = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, fd, 0));
  int error = errno;
  close(pidfd);
  return got >= 0 ? got : -error;
}

}  // namespace sysgate
