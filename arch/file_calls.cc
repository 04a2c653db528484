#include "arch/file_calls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

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

}  // namespace sysgate
