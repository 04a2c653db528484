// Resolving a path the way the calling process would, but by the
// supervisor and once: relative to the caller's root (absolute paths: the
// program's, PathOwner), cwd or directory fd, through /proc/PID/{cwd,fd/N}
// (and /proc/PID/root where no root is pinned). The result holds
// O_PATH descriptors of the directory and of the object itself, so every
// later step (checking, opening, stat-ing) works on those very objects and
// not on a path someone could change meanwhile.
#ifndef SYSGATE_SUPERVISOR_NOTIFY_PATH_RESOLVER_H_
#define SYSGATE_SUPERVISOR_NOTIFY_PATH_RESOLVER_H_

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace sysgate {

// A descriptor of ours, closed when it goes out of scope.
class ScopedFd {
 public:
  explicit ScopedFd(int fd = -1) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  ScopedFd(ScopedFd&& o) : fd_(o.release()) {}
  ScopedFd& operator=(ScopedFd&& o) {
    if (this != &o) {
      if (fd_ >= 0) close(fd_);
      fd_ = o.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

struct ResolvedPath {
  int error = 0;         // Looking up the directory part failed with this.
  ScopedFd dir;          // O_PATH of the directory part.
  ScopedFd object;       // O_PATH of the object; -1 if it could not be found.
  int object_error = 0;  // Why not (ENOENT, ELOOP...).
  // The object's fstat, taken once it was found (valid with `object`).
  struct stat object_stat = {};
  std::string last;  // The last component as the caller wrote it.
  // The object's path as the kernel reports it, or for a missing object
  // the path it would have.
  std::string path;
  // Set when the object is one no grant may reach, saying why: objects
  // outside the file tree (pipes, sockets, anonymous inodes, reached
  // through /proc/PID/fd magic links) and sysgate's own /proc entries.
  std::string refused;
  // For "/proc/self" or "/proc/thread-self" itself, unfollowed: what the
  // link reads for the caller.
  std::string self_link;
  // Reached through a magic link in the caller's own /proc/PID/fd: one of
  // its own descriptors' objects (a pipe it may reopen, for one).
  bool callers_own_fd = false;
  // Then: the access mode (O_ACCMODE) the caller's descriptor holds, -1
  // unknown. A pipe reopened the other way would be its other end (the
  // read end of a stderr it shares with sysgate, say).
  int own_fd_access = -1;
  // For an entry of the caller's own /proc/PID: the same path spelled with
  // "/proc/self", so that `broker read /proc/self/**` grants it.
  std::string self_path;
};

// Whose path it is: the calling thread, and the root its absolute paths
// start from: the program's (Broker::program_root), which no call under a
// broker policy can change (guards.h: chroot, pivot_root, a new mount
// namespace). -1: the thread's own /proc/TID/root, opened per call.
struct PathOwner {
  pid_t tid;
  int root = -1;
};

// What a caller of ResolvePath goes on to use. kObject: an object that
// exists, and nothing else (an open without O_CREAT, stat, access,
// readlink): a path with no symlink is then one lookup of the whole path,
// and `dir` stays closed (-1) when the object is found. kDirectory: `dir`
// too, to create, change or link the last component in.
enum class Needs { kObject, kDirectory };

// `pid` is the calling thread: "/proc/self" and "/proc/thread-self" mean
// it, not sysgate (whose thread resolves the path, and the kernel's
// proc_self_get_link reads `current`), wherever they are met: at the start,
// through a symlink (/dev/stdin, /proc/mounts) or from a dirfd on /proc
// (path_walk.h). Under openat2's own RESOLVE_* flags the kernel resolves,
// and those other routes reach sysgate's entries, which are refused.
// `follow_last`: whether a symlink as the last component is followed (as
// it always is with a trailing slash, which also requires a directory:
// ENOTDIR otherwise).
// `resolve`: openat2 RESOLVE_* flags the caller asked for, kept.
// `need`: what the caller acts on (Needs).
ResolvedPath ResolvePath(const PathOwner& owner, int dirfd,
                         const std::string& path, bool follow_last, Needs need,
                         uint64_t resolve = 0);
// A name to be changed (unlink, rmdir, rename, mkdir, link's and
// symlink's new name): as ResolvePath with the last component never
// followed, and a trailing slash left to the change's own checks.
ResolvedPath ResolveName(const PathOwner& owner, int dirfd,
                         const std::string& path);

// The object the caller's descriptor `fd` names, for the AT_EMPTY_PATH
// forms (an empty path, the call on `fd` itself): through
// /proc/PID/fd/N, so the result is that very object, as its path, refused
// and self_path say; no directory or last component.
ResolvedPath ResolveHeldFd(pid_t pid, int fd);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_PATH_RESOLVER_H_
