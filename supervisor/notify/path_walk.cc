#include "supervisor/notify/path_walk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <deque>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "arch/procfs.h"

namespace sysgate {
namespace {

// The kernel's limit on symlinks followed in one lookup (MAXSYMLINKS).
constexpr int kMaxSymlinks = 40;
constexpr ino_t kProcRootIno = 1;  // PROC_ROOT_INO

bool OnProc(int fd) {
  struct statfs fs;
  return fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

bool IsProcRoot(int fd) {
  struct stat st;
  return OnProc(fd) && fstat(fd, &st) == 0 && st.st_ino == kProcRootIno;
}

bool SameObject(int a, int b) {
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

ScopedFd Dup(int fd) { return ScopedFd(fcntl(fd, F_DUPFD_CLOEXEC, 0)); }

void PushFront(std::deque<std::string>& parts, absl::string_view path) {
  std::vector<std::string> split = absl::StrSplit(path, '/', absl::SkipEmpty());
  parts.insert(parts.begin(), split.begin(), split.end());
}

// Whether `dir` (a /proc directory holding a magic link) is one of the
// caller's own: /proc/TGID/... or /proc/TGID/task/TID/... of its thread
// group; `fd_dir`: and it is that process's fd directory.
bool IsCallersProcDir(int dir, pid_t tid, bool* fd_dir) {
  std::vector<std::string> parts =
      absl::StrSplit(PathOfFd(dir), '/', absl::SkipEmpty());
  pid_t owner;
  if (parts.size() < 2 || parts[0] != "proc" ||
      !absl::SimpleAtoi(parts[1], &owner)) {
    return false;
  }
  *fd_dir = parts.back() == "fd";
  return ThreadGroupOf(owner) == ThreadGroupOf(tid);
}

// What a symlink named `name` in `dir` reads for the caller; false for a
// magic link, which is followed instead.
bool LinkText(int dir, const std::string& name, pid_t tid, std::string& text) {
  if (IsProcRoot(dir) && (name == "self" || name == "thread-self")) {
    pid_t tgid = ThreadGroupOf(tid);
    text =
        name == "self" ? absl::StrCat(tgid) : absl::StrCat(tgid, "/task/", tid);
    return true;
  }
  // /proc's only ordinary symlinks are in its root (mounts, net, ...).
  if (OnProc(dir) && !IsProcRoot(dir)) return false;
  char buf[4096];
  ssize_t n = readlinkat(dir, name.c_str(), buf, sizeof(buf));
  text.assign(buf, n > 0 ? n : 0);
  return true;
}

}  // namespace

Walked WalkAsCaller(pid_t tid, int root, int start, const std::string& path,
                    bool follow_last) {
  Walked w;
  std::deque<std::string> parts;
  PushFront(parts, path);
  ScopedFd cur = Dup(start);
  int links = 0;
  if (parts.empty()) parts.push_back(".");
  while (!parts.empty()) {
    std::string name = std::move(parts.front());
    parts.pop_front();
    bool last = parts.empty();
    if (name == "." || name == "..") {
      bool at_root = SameObject(cur.get(), root);
      if (last) {
        w.dir = std::move(cur);
        w.last = name;
        w.object = name == "." || at_root
                       ? Dup(w.dir.get())
                       : ScopedFd(openat(w.dir.get(), "..",
                                         O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (w.object.get() < 0) w.object_error = errno;
        return w;
      }
      if (name == "." || at_root) continue;
      cur = ScopedFd(openat(cur.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (cur.get() < 0) {
        w.error = errno;
        return w;
      }
      continue;
    }
    ScopedFd next(
        openat(cur.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    int error = errno;
    struct stat st;
    if (next.get() >= 0 && fstat(next.get(), &st) != 0) error = errno;
    if (next.get() < 0) {
      if (!last) {
        w.error = error;
        return w;
      }
      w.dir = std::move(cur);
      w.last = name;
      w.object_error = error;
      return w;
    }
    bool through_own_fd = false;
    int own_fd_access = -1;
    if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
      if (++links > kMaxSymlinks) {
        (last ? w.object_error : w.error) = ELOOP;
        if (last) {
          w.dir = std::move(cur);
          w.last = name;
        }
        return w;
      }
      std::string text;
      if (LinkText(cur.get(), name, tid, text)) {
        if (text.empty()) {
          w.error = ENOENT;
          return w;
        }
        if (text[0] == '/') cur = Dup(root);
        PushFront(parts, text);
        continue;
      }
      // A magic link: the kernel jumps to the object itself. Only the
      // caller's own are followed, whose /proc directory already names its
      // ids, so that sysgate's thread reaches the same object: another
      // process's root, cwd or descriptors lead into its mount tree (a
      // namespace, a detached mount), where the object's path says
      // nothing of where it is in the caller's, and grants match paths.
      bool fd_dir = false;
      if (!IsCallersProcDir(cur.get(), tid, &fd_dir)) {
        w.dir = std::move(cur);
        w.last = name;
        w.object_error = EACCES;
        w.refused = "another process's /proc links (into its mount tree)";
        return w;
      }
      next = ScopedFd(openat(cur.get(), name.c_str(), O_PATH | O_CLOEXEC));
      if (next.get() < 0 || fstat(next.get(), &st) != 0) {
        w.error = errno;
        return w;
      }
      through_own_fd = fd_dir;
      if (fd_dir) own_fd_access = HeldAccessMode(cur.get(), name);
    }
    if (last) {
      w.dir = std::move(cur);
      w.last = name;
      w.object = std::move(next);
      w.through_own_fd = through_own_fd;
      w.own_fd_access = own_fd_access;
      return w;
    }
    if (!S_ISDIR(st.st_mode)) {
      w.error = ENOTDIR;
      return w;
    }
    cur = std::move(next);
  }
  return w;
}

}  // namespace sysgate
