// File system calls the broker makes on objects it has already resolved,
// where libc has no wrapper or a wrapper that would re-resolve a path:
// openat2(2) (Linux 5.6), statx(2) and faccessat2(2) (5.8) on a descriptor
// (AT_EMPTY_PATH). The program must see the exact errno, so each returns it
// as a value (0 for success) rather than as a Status.
#ifndef SYSGATE_ARCH_FILE_CALLS_H_
#define SYSGATE_ARCH_FILE_CALLS_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace sysgate {

struct OpenHow {
  uint64_t flags = 0;
  uint64_t mode = 0;
  uint64_t resolve = 0;  // RESOLVE_*.
};
struct OpenResult {
  int fd = -1;
  int error = 0;  // When fd < 0.
};
OpenResult OpenAt2(int dirfd, const std::string& path, const OpenHow& how);

// statx of the object `fd` names; `flags` may add AT_STATX_SYNC_TYPE bits.
int StatxOfFd(int fd, unsigned flags, unsigned mask, struct statx* out);

// faccessat2 of the object `fd` names; `flags` may add AT_EACCESS.
int AccessOfFd(int fd, int mode, int flags);

// Changes to the object an O_PATH descriptor names, never by its path.
// chmod goes through /proc/self/fd/N (fchmodat2's AT_EMPTY_PATH is 6.6+),
// which leads to that very inode; chown and the times use AT_EMPTY_PATH.
int ChmodOfFd(int fd, mode_t mode);
// getxattr / listxattr of the object an O_PATH `fd` names (through
// /proc/self/fd/N, which f*xattr refuse for O_PATH): the length, or
// -errno. `name` null: the list.
int64_t XattrOfFd(int fd, const char* name, void* value, size_t size);
// setxattr, or with `value` null removexattr, of that object, the same
// way: the magic link lands on the object itself, a symlink too, which is
// never followed further. 0 or the errno.
int ChangeXattrOfFd(int fd, const char* name, const std::string* value,
                    int flags);
int ChownOfFd(int fd, uint32_t uid, uint32_t gid);
// Whether this kernel has the *xattrat calls (Linux 6.13): asked once.
bool KernelHasXattrAt();
// `times` null: now.
int SetTimesOfFd(int fd, const struct timespec* times);
// linkat of the object `fd` names to `dirfd`/`name`: through
// /proc/self/fd/N (AT_SYMLINK_FOLLOW), or with AT_EMPTY_PATH when the
// caller asked for that form (which needs CAP_DAC_READ_SEARCH).
int LinkOfFd(int fd, int dirfd, const std::string& name, bool empty_path);

// inotify_add_watch on `inotify_fd` of the object an O_PATH `fd` names
// (through /proc/self/fd/N, which leads to that very object, a symlink
// too): the watch descriptor, or -errno.
int WatchOfFd(int inotify_fd, int fd, uint32_t mask);

// A duplicate, in sysgate, of descriptor `fd` of thread `tid`
// (pidfd_getfd, Linux 5.6: the very open file, sharing its offset and
// flags), or -errno (EBADF: no such descriptor).
int FetchDescriptor(pid_t tid, int fd);

// Gives the calling thread a file system context of its own (umask, cwd,
// root: unshare CLONE_FS), so that it may set the umask per call.
int UseOwnFileSystemContext();

}  // namespace sysgate

#endif  // SYSGATE_ARCH_FILE_CALLS_H_
