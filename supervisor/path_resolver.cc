#include "supervisor/path_resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>

#include "absl/strings/str_cat.h"
#include "arch/seccomp_notify.h"

namespace sysgate {

std::string PathOfFd(int fd) {
  char buf[4096];
  ssize_t n = readlink(absl::StrCat("/proc/self/fd/", fd).c_str(), buf,
                       sizeof(buf) - 1);
  return n > 0 ? std::string(buf, n) : "";
}

ResolvedPath ResolvePath(pid_t pid, int dirfd, const std::string& path,
                         bool follow_last, uint64_t resolve) {
  ResolvedPath r;
  if (path.empty()) {
    r.error = ENOENT;
    return r;
  }
  bool absolute = path[0] == '/';
  std::string base = absolute ? absl::StrCat("/proc/", pid, "/root")
                     : dirfd == AT_FDCWD
                         ? absl::StrCat("/proc/", pid, "/cwd")
                         : absl::StrCat("/proc/", pid, "/fd/", dirfd);
  ScopedFd base_fd(open(base.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (base_fd.get() < 0) {
    // A dirfd that is not open is EBADF for the caller; not a directory,
    // ENOTDIR.
    r.error = errno == ENOENT && !absolute && dirfd != AT_FDCWD ? EBADF : errno;
    return r;
  }
  size_t start = path.find_first_not_of('/');
  std::string rel = start == std::string::npos ? "" : path.substr(start);
  while (rel.size() > 1 && rel.back() == '/') rel.pop_back();
  size_t slash = rel.rfind('/');
  std::string dir = slash == std::string::npos ? "." : rel.substr(0, slash);
  r.last = slash == std::string::npos ? rel : rel.substr(slash + 1);
  if (r.last.empty()) r.last = ".";
  // Absolute paths resolve in the caller's root; the directory part
  // follows symlinks, as the kernel's own lookup does.
  OpenResult d = OpenAt2(base_fd.get(), dir,
                         {O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                          (absolute ? RESOLVE_IN_ROOT : 0) | resolve});
  if (d.fd < 0) {
    r.error = d.error;
    return r;
  }
  r.dir = ScopedFd(d.fd);
  r.object =
      ScopedFd(openat(r.dir.get(), r.last.c_str(),
                      O_PATH | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW)));
  if (r.object.get() >= 0) {
    r.path = PathOfFd(r.object.get());
  } else {
    r.object_error = errno;
    std::string dir_path = PathOfFd(r.dir.get());
    r.path =
        dir_path == "/" ? "/" + r.last : absl::StrCat(dir_path, "/", r.last);
  }
  return r;
}

}  // namespace sysgate
