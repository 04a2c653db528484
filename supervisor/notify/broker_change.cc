// The calls that change the file tree or an object in it, performed by
// sysgate on what it resolved itself: a name in a directory sysgate holds
// (unlinkat, mkdirat, renameat2... on that directory's descriptor and the
// last component), or an object it holds (chmod, chown, truncate, times,
// through that object's descriptor). The kernel never resolves the
// program's path for them, so nothing the program does to its memory or
// its tree after the check changes what they touch: a name's grant depends
// only on the directory sysgate holds and the name, and a symlink swapped
// in is not followed where the call does not follow one.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "arch/file_calls.h"
#include "arch/procfs.h"
#include "supervisor/notify/broker.h"

namespace sysgate {
namespace {

using Mode = BrokerRule::Mode;

bool EndsWithSlash(const std::string& path) {
  return !path.empty() && path.back() == '/';
}

// A new name written with a trailing slash (link, symlink, mknod): the
// kernel finds no such directory, ENOENT, or EEXIST if the name exists.
int NewNameSlashError(const std::string& written, const ResolvedPath& r) {
  if (!EndsWithSlash(written)) return 0;
  return r.object.get() >= 0 ? EEXIST : ENOENT;
}

// A path written with a trailing slash names a directory: the kernel fails
// unlink("file/") and rename("file/", ...) with ENOTDIR, which the
// resolver's split into directory and last component would lose.
int TrailingSlashError(const std::string& written, const ResolvedPath& r) {
  if (!EndsWithSlash(written) || r.object.get() < 0) return 0;
  struct stat st;
  if (fstat(r.object.get(), &st) != 0) return errno;
  return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

// A name in a directory: its last component never followed.
ResolvedPath NameOf(const PathOwner& owner, const BrokerRequest& req, int i) {
  return ResolveName(owner, req.Dirfd(i), req.paths[i]);
}

// The object a call changes: its path (a final symlink followed or not),
// or with AT_EMPTY_PATH and an empty path the caller's descriptor itself.
ResolvedPath ObjectOf(const PathOwner& owner, const BrokerRequest& req, int i,
                      bool follow) {
  if (req.call->held_fd != kNoArg) {
    return ResolveHeldFd(req.tid(),
                         static_cast<int32_t>(req.Arg(req.call->held_fd)));
  }
  if (req.paths[i].empty() && (req.flags & AT_EMPTY_PATH))
    return ResolveHeldFd(req.tid(), req.Dirfd(i));
  return ResolvePath(owner, req.Dirfd(i), req.paths[i], follow,
                     Needs::kDirectory);  // link's source: linkat in it.
}

bool IsSymlink(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
}

}  // namespace

absl::optional<BrokerResult> Broker::RefuseChange(const ResolvedPath& r) const {
  if (r.error) return Outcome(r.error);
  if (!Granted(r, Mode::kWrite)) return Deny(r);
  return absl::nullopt;
}

// chmod, chown, truncate, the times and the xattr changes: the object, a final
// symlink followed unless AT_SYMLINK_NOFOLLOW (the only flag besides
// AT_EMPTY_PATH their *at forms take), found and granted for writing.
absl::optional<BrokerResult> Broker::ChangedObject(const BrokerRequest& req,
                                                   ResolvedPath& r) const {
  if (req.flags & ~static_cast<uint64_t>(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
    return Outcome(EINVAL);
  r = ObjectOf(OwnerOf(req), req, 0, !(req.flags & AT_SYMLINK_NOFOLLOW));
  if (r.error || r.object.get() < 0) return LookupFailed(r);
  return RefuseChange(r);
}

BrokerResult Broker::Remove(const BrokerRequest& req) const {
  if (req.flags & ~static_cast<uint64_t>(AT_REMOVEDIR)) return Outcome(EINVAL);
  ResolvedPath r = NameOf(OwnerOf(req), req, 0);
  if (auto refused = RefuseChange(r)) return std::move(*refused);
  if (r.object.get() < 0) return Outcome(r.object_error);
  if (!(req.flags & AT_REMOVEDIR)) {
    if (int error = TrailingSlashError(req.paths[0], r)) return Outcome(error);
  }
  return Outcome(ErrnoOf(
      unlinkat(r.dir.get(), r.last.c_str(), static_cast<int>(req.flags))));
}

BrokerResult Broker::MakeDir(const BrokerRequest& req) const {
  ResolvedPath r = NameOf(OwnerOf(req), req, 0);
  if (auto refused = RefuseChange(r)) return std::move(*refused);
  CallerUmask umask(req.tid());
  return Outcome(ErrnoOf(mkdirat(r.dir.get(), r.last.c_str(),
                                 static_cast<mode_t>(req.mode & 07777))));
}

// mknod: regular files, FIFOs and sockets. A device node would give the
// program whatever device it names, inside a write grant (1:11 is
// /dev/kmsg), so none is made, whatever the grants and the caller's
// capabilities.
BrokerResult Broker::MakeNode(const BrokerRequest& req) const {
  mode_t mode = static_cast<mode_t>(req.mode);
  mode_t type = (mode & S_IFMT) ? (mode & S_IFMT) : S_IFREG;
  ResolvedPath r = NameOf(OwnerOf(req), req, 0);
  if (type == S_IFCHR || type == S_IFBLK)
    return Refuse(r, EPERM, "sysgate never makes device nodes");
  if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK)
    return Outcome(EINVAL);
  if (auto refused = RefuseChange(r)) return std::move(*refused);
  if (int error = NewNameSlashError(req.paths[0], r)) return Outcome(error);
  CallerUmask umask(req.tid());
  return Outcome(
      ErrnoOf(mknodat(r.dir.get(), r.last.c_str(), type | (mode & 07777), 0)));
}

// rename: both names need a write grant (the object leaves one and
// appears at the other; RENAME_EXCHANGE swaps two).
BrokerResult Broker::Rename(const BrokerRequest& req) const {
  ResolvedPath from = NameOf(OwnerOf(req), req, 0);
  if (auto refused = RefuseChange(from)) return std::move(*refused);
  ResolvedPath to = NameOf(OwnerOf(req), req, 1);
  if (auto refused = RefuseChange(to)) return std::move(*refused);
  if (from.object.get() < 0) return Outcome(from.object_error);
  if (int error = TrailingSlashError(req.paths[0], from)) return Outcome(error);
  // RENAME_WHITEOUT leaves a 0:0 character device behind.
  constexpr uint64_t kRenameWhiteout = 1 << 2;
  if (req.flags & kRenameWhiteout)
    return Refuse(from, EPERM, "sysgate never makes device nodes");
  struct stat st;
  if (fstat(from.object.get(), &st) != 0) return Outcome(errno);
  if (S_ISDIR(st.st_mode)) {
    // The subtree moves too: a `broker deny` below either end would be
    // sidestepped (rename work/u work/x/u past `deny work/*/.ssh/**`).
    for (const ResolvedPath* end : {&from, &to}) {
      if (const BrokerRule* deny = grants_.DeniesBelow(end->path))
        return DenyBy(*end, Provenance::BrokerDeny(grants_.IndexOf(deny)));
    }
  } else if (EndsWithSlash(req.paths[1])) {
    return Outcome(ENOTDIR);  // rename("file", "name/"), as the kernel.
  }
  return Outcome(
      ErrnoOf(renameat2(from.dir.get(), from.last.c_str(), to.dir.get(),
                        to.last.c_str(), static_cast<unsigned>(req.flags))));
}

// link: the new name needs a write grant, and the source every mode a
// grant gives the new name: otherwise a file granted for reading, linked
// into a write grant, could be written through its new name.
BrokerResult Broker::Link(const BrokerRequest& req) const {
  if (req.flags & ~static_cast<uint64_t>(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
    return Outcome(EINVAL);
  bool empty_path = req.paths[0].empty() && (req.flags & AT_EMPTY_PATH);
  bool follow = req.flags & AT_SYMLINK_FOLLOW;
  ResolvedPath from = ObjectOf(OwnerOf(req), req, 0, follow);
  if (from.error || from.object.get() < 0) return LookupFailed(from);
  ResolvedPath to = NameOf(OwnerOf(req), req, 1);
  if (auto refused = RefuseChange(to)) return std::move(*refused);
  if (int error = NewNameSlashError(req.paths[1], to)) return Outcome(error);
  for (Mode mode : {Mode::kRead, Mode::kWrite, Mode::kExec}) {
    if (Granted(to, mode) && !Granted(from, mode)) return Deny(from);
  }
  if (int error = TrailingSlashError(req.paths[0], from)) return Outcome(error);
  // An unfollowed name is linked as the name in the directory sysgate
  // holds (a symlink cannot be reached through /proc/self/fd).
  if (!follow && !empty_path) {
    return Outcome(ErrnoOf(linkat(from.dir.get(), from.last.c_str(),
                                  to.dir.get(), to.last.c_str(), 0)));
  }
  return Outcome(
      LinkOfFd(from.object.get(), to.dir.get(), to.last, empty_path));
}

// symlink: the target is text, not a path sysgate resolves: whatever later
// opens through the link is resolved, and checked, then.
BrokerResult Broker::Symlink(const BrokerRequest& req) const {
  ResolvedPath r = NameOf(OwnerOf(req), req, 0);
  if (auto refused = RefuseChange(r)) return std::move(*refused);
  if (int error = NewNameSlashError(req.paths[0], r)) return Outcome(error);
  return Outcome(
      ErrnoOf(symlinkat(req.text.c_str(), r.dir.get(), r.last.c_str())));
}

BrokerResult Broker::Chmod(const BrokerRequest& req) const {
  ResolvedPath r;
  if (auto refused = ChangedObject(req, r)) return std::move(*refused);
  // Linux has no modes on symlinks (fchmodat2 says so).
  if (IsSymlink(r.object.get())) return Outcome(EOPNOTSUPP);
  return Outcome(
      ChmodOfFd(r.object.get(), static_cast<mode_t>(req.mode & 07777)));
}

BrokerResult Broker::Chown(const BrokerRequest& req) const {
  ResolvedPath r;
  if (auto refused = ChangedObject(req, r)) return std::move(*refused);
  return Outcome(ChownOfFd(r.object.get(), req.uid, req.gid));
}

// truncate: the object reopened for writing (as truncate(2), that needs
// write permission, and fails ETXTBSY for a running program's image).
BrokerResult Broker::Truncate(const BrokerRequest& req) const {
  if (req.length < 0) return Outcome(EINVAL);
  ResolvedPath r;
  if (auto refused = ChangedObject(req, r)) return std::move(*refused);
  struct stat st;
  if (fstat(r.object.get(), &st) != 0) return Outcome(errno);
  if (S_ISDIR(st.st_mode)) return Outcome(EISDIR);
  if (!S_ISREG(st.st_mode)) return Outcome(EINVAL);
  ScopedFd file(
      ReopenFd(r.object.get(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (file.get() < 0) return Outcome(errno);
  return Outcome(ErrnoOf(ftruncate(file.get(), req.length)));
}

// utime, utimes, futimesat, utimensat. A null path (utimensat(fd, NULL,
// ...), futimesat's too) sets the times of the object a descriptor names,
// which needs a write grant as well: a file opened for reading must not
// change.
BrokerResult Broker::Times(const BrokerRequest& req) const {
  if (req.null_path) {
    // As do_utimes: the descriptor's own times, with no flags; AT_FDCWD has
    // no path to name.
    if (req.Dirfd(0) == AT_FDCWD) return Outcome(EFAULT);
    if (req.flags) return Outcome(EINVAL);
    ResolvedPath held = ResolveHeldFd(req.tid(), req.Dirfd(0));
    if (auto refused = RefuseChange(held)) return std::move(*refused);
    return Outcome(SetTimesOfFd(held.object.get(),
                                req.has_times ? req.times.data() : nullptr));
  }
  ResolvedPath r;
  if (auto refused = ChangedObject(req, r)) return std::move(*refused);
  return Outcome(
      SetTimesOfFd(r.object.get(), req.has_times ? req.times.data() : nullptr));
}

// setxattr and removexattr: the object, a final symlink followed but by
// the l* forms (for the f* forms the object the descriptor names), granted
// for writing; the name and value as read once.
BrokerResult Broker::XattrChange(const BrokerRequest& req) const {
  constexpr uint32_t kKnownFlags = XATTR_CREATE | XATTR_REPLACE;
  if (req.xattr.flags & ~kKnownFlags) return Outcome(EINVAL);
  ResolvedPath r;
  if (auto refused = ChangedObject(req, r)) return std::move(*refused);
  bool set = SetsXattr(*req.call);
  return Outcome(ChangeXattrOfFd(r.object.get(), req.text.c_str(),
                                 set ? &req.xattr.bytes : nullptr,
                                 static_cast<int>(req.xattr.flags)));
}

}  // namespace sysgate
