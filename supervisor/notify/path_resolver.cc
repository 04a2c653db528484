#include "supervisor/notify/path_resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "arch/file_calls.h"
#include "arch/process.h"
#include "arch/procfs.h"
#include "supervisor/notify/path_walk.h"

namespace sysgate {

namespace {

// "/proc/self..." and "/proc/thread-self..." with the caller's ids; `link`
// gets what the bare link would read.
std::string ForCaller(pid_t tid, const std::string& path, bool follow_last,
                      std::string& link) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(path, '/', absl::SkipEmpty());
  if (path.empty() || path[0] != '/' || parts.size() < 2 || parts[0] != "proc")
    return path;
  std::string ids;
  if (parts[1] == "self") {
    ids = absl::StrCat(ThreadGroupOf(tid));
  } else if (parts[1] == "thread-self") {
    ids = absl::StrCat(ThreadGroupOf(tid), "/task/", tid);
  } else {
    return path;
  }
  if (parts.size() == 2 && !follow_last) {
    link = ids;  // The link itself: resolve it, but read this.
    return path;
  }
  // Keep the rest as written (a trailing slash matters).
  size_t rest = parts[1].data() + parts[1].size() - path.data();
  return absl::StrCat("/proc/", ids, path.substr(rest));
}

constexpr char kSysgatesOwnProcEntries[] = "sysgate's own /proc entries";

// The entries of /proc/PID (and /proc/PID/task/TID) whose opening checks
// nothing of the opener: the kernel checks their readers (ptrace_may_access
// at each read of stat, io, wchan, syscall) or nobody. The others check
// the opener's privileges when sysgate opens them for the program (mem,
// environ, auxv, maps and pagemap through proc_mem_open, stack and uid_map
// by the file's credentials, fd/, ns/ and map_files/ at lookup), and
// sysgate keeps CAP_SYS_PTRACE, which a root program is denied: of a
// process not the program's they are refused. "" is the directory itself.
bool OpensTheSameForAnyOpener(absl::string_view entry) {
  static constexpr absl::string_view kEntries[] = {
      "",           "cgroup",    "cmdline",   "comm",          "cpuset",
      "io",         "limits",    "loginuid",  "mountinfo",     "mounts",
      "mountstats", "oom_adj",   "oom_score", "oom_score_adj", "personality",
      "sched",      "schedstat", "sessionid", "stat",          "statm",
      "status",     "syscall",   "task",      "timers",        "timerslack_ns",
      "wchan"};
  for (absl::string_view e : kEntries)
    if (e == entry) return true;
  return false;
}

// Why the procfs entry named by `parts[pid_at..]` (the component below a
// procfs's root first) is refused, or "".
std::string RefusedProcessEntry(const std::vector<absl::string_view>& parts,
                                size_t pid_at) {
  pid_t pid;
  if (!absl::SimpleAtoi(parts[pid_at], &pid) || pid <= 0) return "";
  if (IsThreadOfOurs(pid)) return kSysgatesOwnProcEntries;
  size_t entry_at = pid_at + 1;
  if (entry_at + 1 < parts.size() && parts[entry_at] == "task") entry_at += 2;
  absl::string_view entry = entry_at < parts.size() ? parts[entry_at] : "";
  if (OpensTheSameForAnyOpener(entry) || InTheProgram(pid)) return "";
  // An alarm (a fork of sysgate), another user's process, pid 1...
  return "another process's /proc entries that check their opener";
}

// Why `fd` (ours), a procfs entry, is refused, or "": an entry of
// sysgate's own /proc/PID, or one of another process that sysgate's
// privileges would open (RefusedProcessEntry). The process is the
// component right below the procfs's root (inode PROC_ROOT_INO, 1, on the
// fd's device), wherever that procfs is mounted: not merely the path's
// first number (a procfs mounted in /tmp/1/proc). A procfs entry whose
// root is not on its path (a bind mount of part of one) is refused: it
// cannot be told apart.
std::string RefusedInProc(int fd) {
  struct statfs fs;
  struct stat entry;
  if (fd < 0 || fstatfs(fd, &fs) != 0 || fs.f_type != PROC_SUPER_MAGIC)
    return "";
  if (fstat(fd, &entry) != 0) return kSysgatesOwnProcEntries;
  auto is_root = [&](const std::string& dir) {
    struct stat st;
    return stat(dir.empty() ? "/" : dir.c_str(), &st) == 0 &&
           st.st_dev == entry.st_dev && st.st_ino == 1;
  };
  std::string path = PathOfFd(fd);
  std::vector<absl::string_view> parts =
      absl::StrSplit(path, '/', absl::SkipEmpty());
  std::string dir;
  bool below_root = is_root(dir);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (below_root) return RefusedProcessEntry(parts, i);
    absl::StrAppend(&dir, "/", parts[i]);
    below_root = is_root(dir);
  }
  // The root itself is nobody's; no root: refused.
  return below_root ? "" : kSysgatesOwnProcEntries;
}

// "/proc/self/..." for "/proc/TGID/..." when TGID is the caller's.
std::string SelfPath(pid_t tid, const std::string& path) {
  // Most paths are not in /proc: no reading of the caller's status then.
  if (!absl::StartsWith(path, "/proc/")) return "";
  std::string own = absl::StrCat("/proc/", ThreadGroupOf(tid));
  if (!absl::StartsWith(path, own)) return "";
  absl::string_view rest = absl::string_view(path).substr(own.size());
  if (!rest.empty() && rest[0] != '/') return "";
  return absl::StrCat("/proc/self", rest);
}

// `no_magic_link`: the object was reached through no symlink at all (the
// kernel's own lookup), so it is the entry itself, never a magic link's
// target.
std::string Refused(const ResolvedPath& r, bool no_magic_link) {
  // Pipes, sockets, anonymous inodes: only the caller's own, reopened
  // through its own /proc/PID/fd.
  if ((r.path.empty() || r.path[0] != '/') && !r.callers_own_fd)
    return "not a file in the tree";
  // procfs always sits on an anonymous device (get_tree_nodev, major 0):
  // an entry on a block device's file system is no /proc entry, and when
  // no magic link led to it, neither was its directory one (short of a
  // mount on /proc/PID itself, which is that other file system's).
  if (no_magic_link && r.object.get() >= 0 && major(r.object_stat.st_dev) != 0)
    return "";
  // The directory too: /proc/PID/fd/N leads to files sysgate holds open.
  std::string refused = RefusedInProc(r.dir.get());
  return refused.empty() ? RefusedInProc(r.object.get()) : refused;
}

// The path, what is refused, and the /proc/self spelling, once the
// objects are known. `lexical`, when set, is the path already: the one
// the kernel's lookup walked, with no symlink, "." or "..", from the
// caller's root, which is sysgate's.
bool FinishResolution(pid_t pid, ResolvedPath& r, bool no_magic_link,
                      bool stat_taken, std::string lexical = "") {
  if (!stat_taken && r.object.get() >= 0 &&
      fstat(r.object.get(), &r.object_stat) != 0) {
    r.error = errno;
    return false;
  }
  if (!lexical.empty()) {
    r.path = std::move(lexical);
  } else if (r.object.get() >= 0) {
    r.path = PathOfFd(r.object.get());
  } else {
    std::string dir_path = PathOfFd(r.dir.get());
    r.path =
        dir_path == "/" ? "/" + r.last : absl::StrCat(dir_path, "/", r.last);
  }
  r.refused = Refused(r, no_magic_link);
  r.self_path = SelfPath(pid, r.path);
  return true;
}

// Whether `root` (ours, O_PATH) is the directory sysgate's own root is.
bool IsOurRoot(int root) {
  static const struct stat ours = [] {
    struct stat st = {};
    stat("/", &st);
    return st;
  }();
  struct stat st;
  return fstat(root, &st) == 0 && st.st_dev == ours.st_dev &&
         st.st_ino == ours.st_ino;
}

// `rel` spelled from the root, when no component is "." or "..".
std::string LexicalPath(const std::string& rel) {
  std::string out;
  for (absl::string_view part : absl::StrSplit(rel, '/', absl::SkipEmpty())) {
    if (part == "." || part == "..") return "";
    absl::StrAppend(&out, "/", part);
  }
  return out.empty() ? "/" : out;
}

// Where a path starts: the caller's root for an absolute one, else its cwd
// or `dirfd`.
ScopedFd OpenBase(pid_t pid, int dirfd, bool absolute, ResolvedPath& r) {
  std::string base = absolute            ? std::string("root")
                     : dirfd == AT_FDCWD ? std::string("cwd")
                                         : absl::StrCat("fd/", dirfd);
  ScopedFd fd(OpenProcEntry(pid, base, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    // A dirfd that is not open is EBADF for the caller; not a directory,
    // ENOTDIR.
    r.error = errno == ENOENT && !absolute && dirfd != AT_FDCWD ? EBADF : errno;
  }
  return fd;
}

enum class Probe { kFound, kSymlink, kNotFound };

// The whole of `rel` in one lookup, no symlink on the way, the last
// component unfollowed (O_NOFOLLOW, as the lookup below opens it). Its
// directory is never needed to refuse it: with no link at all on the way,
// an entry below sysgate's /proc/PID is one by its own path (Refused).
Probe ProbeObject(int base, const std::string& rel, uint64_t how,
                  bool follow_last, ResolvedPath& r) {
  OpenResult o = OpenAt2(base, rel, {O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, how});
  // RESOLVE_NO_SYMLINKS met a symlink before the last component.
  if (o.fd < 0) return o.error == ELOOP ? Probe::kSymlink : Probe::kNotFound;
  ScopedFd object(o.fd);
  if (fstat(o.fd, &r.object_stat) != 0) return Probe::kNotFound;
  if (follow_last && S_ISLNK(r.object_stat.st_mode)) return Probe::kSymlink;
  r.error = 0;
  r.object = std::move(object);
  r.object_error = 0;
  return Probe::kFound;
}

// The kernel's own lookup from `base`. `probing`: only for a path with no
// symlink (RESOLVE_NO_SYMLINKS, a final symlink left unfollowed), which
// resolves the same for sysgate and for the caller; false, with `r`
// untouched, when a symlink was met. Otherwise with the caller's openat2
// `resolve` flags, on the last component too, and RESOLVE_NO_MAGICLINKS:
// a magic link followed by sysgate's thread would mean sysgate's objects
// or another process's mount tree.
// `from_our_root`: `path` is absolute and `base` is sysgate's root.
bool ResolveByKernel(int base, const std::string& path, bool absolute,
                     bool from_our_root, bool follow_last, uint64_t resolve,
                     bool probing, Needs need, ResolvedPath& r,
                     std::string& lexical) {
  size_t start = path.find_first_not_of('/');
  std::string rel = start == std::string::npos ? "" : path.substr(start);
  while (rel.size() > 1 && rel.back() == '/') rel.pop_back();
  size_t slash = rel.rfind('/');
  std::string dir = slash == std::string::npos ? "." : rel.substr(0, slash);
  std::string last = slash == std::string::npos ? rel : rel.substr(slash + 1);
  if (last.empty()) last = ".";
  if (rel.empty()) rel = ".";
  // Absolute paths resolve in the caller's root.
  uint64_t how =
      (absolute ? RESOLVE_IN_ROOT : 0) |
      (probing ? RESOLVE_NO_SYMLINKS : resolve | RESOLVE_NO_MAGICLINKS);
  if (probing && need == Needs::kObject) {
    switch (ProbeObject(base, rel, how, follow_last, r)) {
      case Probe::kFound:
        r.last = std::move(last);
        if (from_our_root) lexical = LexicalPath(rel);
        return true;
      case Probe::kSymlink:
        return false;
      case Probe::kNotFound:
        break;  // The lookup below tells which part is missing.
    }
  }
  OpenResult d = OpenAt2(base, dir, {O_PATH | O_DIRECTORY | O_CLOEXEC, 0, how});
  if (d.fd < 0 && d.error == ELOOP && probing) return false;
  ScopedFd dir_fd(d.fd);
  ScopedFd object;
  int object_error = 0;
  if (d.fd >= 0) {
    // Probing, the object is the last component of that very directory
    // (what a change acts on is what was checked). With the caller's
    // flags, the whole path again from `base`, so that they govern a final
    // symlink as they would natively; a missing object is then created in
    // `dir`, resolved under the same flags.
    // ("..", which must not climb above the root, is always the latter.)
    bool follow = follow_last && !probing;
    int flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
    bool in_dir = probing && last != "..";
    OpenResult o =
        in_dir ? OpenResult{openat(d.fd, last.c_str(), flags), 0}
               : OpenAt2(base, rel, {static_cast<uint64_t>(flags), 0, how});
    if (in_dir && o.fd < 0) o.error = errno;
    object = ScopedFd(o.fd);
    object_error = o.fd < 0 ? o.error : 0;
    if (o.fd >= 0 && fstat(o.fd, &r.object_stat) != 0) {
      object = ScopedFd();
      object_error = errno;
    }
    if (probing && follow_last && o.fd >= 0 && S_ISLNK(r.object_stat.st_mode))
      return false;
  }
  r.error = d.fd < 0 ? d.error : 0;
  r.dir = std::move(dir_fd);
  r.last = std::move(last);
  r.object = std::move(object);
  r.object_error = object_error;
  // With no symlink met, the path is the one walked (readlink of
  // /proc/self/fd/N, which the kernel builds with d_path, costs as much as
  // the open itself).
  if (probing && from_our_root && r.error == 0) lexical = LexicalPath(rel);
  return true;
}

}  // namespace

namespace {

ResolvedPath ResolveAs(const PathOwner& owner, int dirfd,
                       const std::string& written, bool follow_last, Needs need,
                       uint64_t resolve) {
  pid_t pid = owner.tid;
  ResolvedPath r;
  const std::string path = ForCaller(pid, written, follow_last, r.self_link);
  if (path.empty()) {
    r.error = ENOENT;
    return r;
  }
  bool absolute = path[0] == '/';
  // The program's root needs no /proc/TID/root per call (PathOwner).
  bool pinned_root = absolute && owner.root >= 0;
  ScopedFd opened_base;
  if (!pinned_root) {
    opened_base = OpenBase(pid, dirfd, absolute, r);
    if (opened_base.get() < 0) return r;
  }
  int base = pinned_root ? owner.root : opened_base.get();
  bool from_our_root = pinned_root || (absolute && IsOurRoot(base));
  // openat2's own RESOLVE_* flags are the kernel's to honour; a path
  // without symlinks resolves the same for sysgate and for the caller.
  std::string lexical;
  if (ResolveByKernel(base, path, absolute, from_our_root, follow_last, resolve,
                      /*probing=*/resolve == 0, need, r, lexical)) {
    if (r.error == 0)
      FinishResolution(pid, r, /*no_magic_link=*/true, /*stat_taken=*/true,
                       std::move(lexical));
    return r;
  }
  // A symlink on the way: resolved one component at a time, as the
  // caller's lookup would (path_walk.h).
  ScopedFd opened_root;
  if (owner.root < 0 && !absolute) {
    opened_root =
        ScopedFd(OpenProcEntry(pid, "root", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (opened_root.get() < 0) {
      r.error = errno;
      return r;
    }
  }
  int root = owner.root >= 0 ? owner.root : absolute ? base : opened_root.get();
  Walked w = WalkAsCaller(pid, root, base, path, follow_last);
  r.error = w.error;
  if (r.error) return r;
  r.dir = std::move(w.dir);
  r.last = std::move(w.last);
  r.object = std::move(w.object);
  r.object_error = w.object_error;
  r.callers_own_fd = w.through_own_fd;
  r.own_fd_access = w.own_fd_access;
  if (!FinishResolution(pid, r, /*no_magic_link=*/false, /*stat_taken=*/false))
    return r;
  // sysgate's own entries say so first; another process's links next.
  if (r.refused.empty()) r.refused = w.refused;
  return r;
}

}  // namespace

ResolvedPath ResolvePath(const PathOwner& owner, int dirfd,
                         const std::string& written, bool follow_last,
                         Needs need, uint64_t resolve) {
  // A trailing slash names a directory, and follows a final symlink to it
  // (the kernel's LOOKUP_FOLLOW | LOOKUP_DIRECTORY).
  bool slash = written.size() > 1 && written.back() == '/';
  ResolvedPath r =
      ResolveAs(owner, dirfd, written, follow_last || slash, need, resolve);
  if (slash && r.object.get() >= 0 && !S_ISDIR(r.object_stat.st_mode)) {
    r.object = ScopedFd();
    r.object_error = ENOTDIR;
  }
  return r;
}

ResolvedPath ResolveName(const PathOwner& owner, int dirfd,
                         const std::string& written) {
  return ResolveAs(owner, dirfd, written, /*follow_last=*/false,
                   Needs::kDirectory, 0);
}

ResolvedPath ResolveHeldFd(pid_t pid, int fd) {
  ResolvedPath r;
  // AT_FDCWD with AT_EMPTY_PATH names the cwd, as the kernel's lookup.
  if (fd < 0 && fd != AT_FDCWD) {
    r.error = EBADF;
    return r;
  }
  std::string entry = fd == AT_FDCWD ? "cwd" : absl::StrCat("fd/", fd);
  r.object = ScopedFd(OpenProcEntry(pid, entry, O_PATH | O_CLOEXEC));
  if (r.object.get() < 0) {
    r.error = errno == ENOENT ? EBADF : errno;
    return r;
  }
  FinishResolution(pid, r, /*no_magic_link=*/false, /*stat_taken=*/false);
  return r;
}

}  // namespace sysgate
