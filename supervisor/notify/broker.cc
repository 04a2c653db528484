#include "supervisor/notify/broker.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "arch/file_calls.h"
#include "arch/procfs.h"

namespace sysgate {
namespace {

BrokerResult Fails(int error) { return Answered(Answer::Error(error)); }

BrokerResult Opened(int fd, bool close_on_exec) {
  BrokerResult out{Answer::Fd(fd, close_on_exec), ScopedFd(fd), {}, {}};
  return out;
}

// Whether opening `st` without O_NONBLOCK may wait: a FIFO for its other
// end (unless opened for both), a character device for its driver (the
// memory devices, major 1: null, zero, urandom..., never do).
bool OpenMayBlock(const struct stat& st, uint64_t flags) {
  if (flags & O_NONBLOCK) return false;
  if (S_ISFIFO(st.st_mode)) return (flags & O_ACCMODE) != O_RDWR;
  return S_ISCHR(st.st_mode) && major(st.st_rdev) != 1;
}

// By its number, not its name: a node of it anywhere (a chroot's /dev, a
// bind mount) opens the same device. Where /proc/misc cannot be read,
// every misc device is taken for it.
bool IsUserfaultfdDevice(dev_t device) {
  static const absl::StatusOr<int> listed = MiscDeviceMinor("userfaultfd");
  if (major(device) != 10) return false;
  if (listed.ok()) return static_cast<int>(minor(device)) == *listed;
  return !absl::IsNotFound(listed.status());
}

BrokerResult Pending(ScopedFd object, uint64_t reopen, bool close_on_exec) {
  auto held = std::make_shared<ScopedFd>(std::move(object));
  // The open itself waits in the kernel, which only its other end ends,
  // or a signal: a periodic wake-up (pending_opens.h), after which it waits
  // again for a caller still waiting, and the caller's EINTR otherwise (a
  // signal of its own came, or it is gone).
  return PendingResult([held, reopen, close_on_exec](const PendingWait& wait) {
    while (true) {
      int fd = ReopenFd(held->get(), static_cast<int>(reopen));
      if (fd >= 0) return Opened(fd, close_on_exec);
      if (errno != EINTR) return Fails(errno);
      if (int stop = wait.StopError()) return Fails(stop);
    }
  });
}

// Reopens a granted object on the server's thread, unless that could wait:
// an open that may block (OpenMayBlock) is left pending, and so is one
// that would wait for another process's lease to break (reopened with
// O_NONBLOCK first, which fails that with EWOULDBLOCK instead of waiting
// up to lease-break-time; the flag is then cleared if not asked for).
BrokerResult Reopen(ScopedFd object, const struct stat& st, uint64_t reopen,
                    bool close_on_exec) {
  if (OpenMayBlock(st, reopen))
    return Pending(std::move(object), reopen, close_on_exec);
  int fd = ReopenFd(object.get(), static_cast<int>(reopen | O_NONBLOCK));
  if (fd < 0 && errno == EWOULDBLOCK && !(reopen & O_NONBLOCK))
    return Pending(std::move(object), reopen, close_on_exec);
  if (fd < 0) return Fails(errno);
  // F_SETFL takes only the status flags (SETFL_MASK), which the open set
  // from `reopen`: no F_GETFL needed.
  if (!(reopen & O_NONBLOCK) &&
      fcntl(fd, F_SETFL, static_cast<int>(reopen & ~O_NONBLOCK)) != 0) {
    int error = errno;
    close(fd);
    return Fails(error);
  }
  return Opened(fd, close_on_exec);
}

}  // namespace

BrokerResult PendingResult(
    std::function<BrokerResult(const PendingWait&)> finish) {
  BrokerResult out = Fails(EINTR);  // Replaced by finish's.
  out.pending = std::make_shared<PendingCall>(PendingCall{std::move(finish)});
  return out;
}

mode_t UmaskOf(pid_t tid) {
  std::string umask = ProcStatusField(tid, "Umask");  // Octal.
  return umask.empty()
             ? 022
             : static_cast<mode_t>(strtoul(umask.c_str(), nullptr, 8));
}

Broker::Broker(const Policy& policy)
    : grants_(policy.broker_rules),
      default_errno_(policy.broker_default_errno.value_or(EACCES)),
      program_root_(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) {}

BrokerResult Broker::Serve(const BrokerRequest& r) const {
  switch (r.call->op) {
    case BrokerOp::kOpen:
      return Open(r);
    case BrokerOp::kStat:
      return Stat(r);
    case BrokerOp::kAccess:
      return Access(r);
    case BrokerOp::kReadlink:
      return Readlink(r);
    case BrokerOp::kExec:
      return Exec(r);
    case BrokerOp::kRemove:
      return Remove(r);
    case BrokerOp::kMakeDir:
      return MakeDir(r);
    case BrokerOp::kMakeNode:
      return MakeNode(r);
    case BrokerOp::kRename:
      return Rename(r);
    case BrokerOp::kLink:
      return Link(r);
    case BrokerOp::kSymlink:
      return Symlink(r);
    case BrokerOp::kChmod:
      return Chmod(r);
    case BrokerOp::kChown:
      return Chown(r);
    case BrokerOp::kTruncate:
      return Truncate(r);
    case BrokerOp::kTimes:
      return Times(r);
    case BrokerOp::kChdir:
      return Chdir(r);
    case BrokerOp::kStatfs:
      return Statfs(r);
    case BrokerOp::kXattrRead:
      return XattrRead(r);
    case BrokerOp::kXattrChange:
      return XattrChange(r);
    case BrokerOp::kWatch:
      return Watch(r);
    case BrokerOp::kBind:
      return Bind(r);
    case BrokerOp::kConnect:
      return Connect(r);
    case BrokerOp::kSendTo:
      return SendTo(r);
    case BrokerOp::kSendMessages:
      return SendMessages(r);
    case BrokerOp::kSocketCall:
      // A sub-call that names no file (ReadOperands made the others their
      // own calls): its number is a register, which the kernel reads again
      // as it is, so no address it then reads can name one.
      return Answered(Answer::Continue());
  }
  return Fails(ENOSYS);
}

bool Broker::Granted(const ResolvedPath& r, BrokerRule::Mode mode) const {
  if (!r.refused.empty()) return false;
  // The program's own pipes and sockets, reopened through its own
  // /proc/PID/fd (process substitution's /dev/fd/63): no path to grant,
  // and nothing it does not hold already.
  if (r.callers_own_fd && !absl::StartsWith(r.path, "/")) return true;
  // A `broker deny` names either spelling of the caller's own /proc entry.
  if (!r.self_path.empty() && grants_.Denies(r.self_path) != nullptr)
    return false;
  return grants_.Grants(r.path, mode) != nullptr ||
         (!r.self_path.empty() && grants_.Grants(r.self_path, mode) != nullptr);
}

// A pipe or socket of the caller's own, reopened through /proc/PID/fd,
// must be reopened the way the caller holds it: a pipe's other end is not
// what it holds (a stderr it shares with sysgate would give up sysgate's
// report lines), though the kernel would open it. Files in the tree are
// the grants' to decide; O_PATH reads nothing.
bool Broker::HeldThatWay(const ResolvedPath& r, uint64_t flags) const {
  if (!r.callers_own_fd || absl::StartsWith(r.path, "/") || (flags & O_PATH))
    return true;
  int wanted = static_cast<int>(flags & O_ACCMODE);
  return r.own_fd_access == O_RDWR ||
         (r.own_fd_access >= 0 && wanted == r.own_fd_access);
}

BrokerResult Broker::DenyBy(const ResolvedPath& r, Provenance by) const {
  BrokerResult out = Fails(default_errno_);
  out.denial = BrokerDenial{by, r.path, r.refused};
  return out;
}

BrokerResult Broker::Deny(const ResolvedPath& r) const {
  const BrokerRule* deny = grants_.Denies(r.path);
  if (deny == nullptr && !r.self_path.empty())
    deny = grants_.Denies(r.self_path);
  Provenance by = !r.refused.empty() ? Provenance::Of(Guard::kSysgateObject)
                  : deny != nullptr
                      ? Provenance::BrokerDeny(grants_.IndexOf(deny))
                      : Provenance::BrokerDefault();
  return DenyBy(r, by);
}

BrokerResult Broker::Refuse(const ResolvedPath& r, int error,
                            const char* why) const {
  BrokerResult out = Fails(error);
  out.denial = BrokerDenial{Provenance::Of(Guard::kSysgateObject), r.path, why};
  return out;
}

BrokerResult Broker::LookupFailed(const ResolvedPath& r) const {
  if (r.error == 0 && !Granted(r, BrokerRule::Mode::kRead)) return Deny(r);
  return Fails(r.error ? r.error : r.object_error);
}

// O_PATH: SECCOMP_IOCTL_NOTIF_ADDFD installs no O_PATH file (it takes the
// file with fget(), which skips them), so the program gets the closest
// descriptor that can be installed: the directory or regular file opened
// for reading, non-blocking (what O_PATH is for, *at calls, fstat,
// fchdir, /proc/self/fd/N, works on it, and O_PATH's read grant covers
// it). Other objects are not opened at all (a FIFO would count as a
// reader, a device's open has effects):
// EOPNOTSUPP, which for a symlink (O_PATH|O_NOFOLLOW, whose object opens
// no other way) is what glibc's fchmodat(AT_SYMLINK_NOFOLLOW), the common
// caller, then reports itself, as the kernel's fchmodat2 would.
BrokerResult Broker::OpenAsPath(const ResolvedPath& r, uint64_t flags) const {
  const struct stat& st = r.object_stat;
  if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode)) return Fails(ENOTDIR);
  if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return Fails(EOPNOTSUPP);
  int fd = ReopenFd(r.object.get(), O_RDONLY | O_NONBLOCK | O_NOCTTY |
                                        O_CLOEXEC | (flags & O_DIRECTORY));
  if (fd < 0) return Fails(errno);
  return Opened(fd, flags & O_CLOEXEC);
}

BrokerResult Broker::Open(const BrokerRequest& req) const {
  uint64_t flags = req.flags;
  // O_PATH ignores every other flag but these (fs/open.c, build_open_flags).
  if (flags & O_PATH) flags &= O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW;
  if (req.abi().word_bits() == 32) flags |= O_LARGEFILE;
  bool write = (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
  BrokerRule::Mode mode =
      write ? BrokerRule::Mode::kWrite : BrokerRule::Mode::kRead;
  // O_NOFOLLOW, and openat2's RESOLVE_NO_SYMLINKS, forbid a final symlink.
  bool follow_last =
      !(flags & O_NOFOLLOW) && !(req.resolve & RESOLVE_NO_SYMLINKS);
  // A missing object's directory comes with it, for O_CREAT.
  ResolvedPath r = ResolvePath(OwnerOf(req), req.Dirfd(0), req.paths[0],
                               follow_last, Needs::kObject, req.resolve);
  if (r.error) return Fails(r.error);
  if (r.object.get() >= 0) {
    if (!Granted(r, mode)) return Deny(r);
    if (!HeldThatWay(r, flags)) {
      return Refuse(r, EACCES,
                    "the other end of a pipe the caller holds one end of");
    }
    if (flags & O_PATH) return OpenAsPath(r, flags);
    const struct stat& st = r.object_stat;
    if (S_ISLNK(st.st_mode)) return Fails(ELOOP);  // As open(2) fails it.
    // userfaultfd(2) by another door (guards.cc: kStallsBroker).
    if (S_ISCHR(st.st_mode) && IsUserfaultfdDevice(st.st_rdev))
      return Refuse(r, EPERM, "the userfaultfd device stalls the broker");
    if ((flags & O_CREAT) && (flags & O_EXCL)) return Fails(EEXIST);
    // Reopen that very object: nothing swapped in since can be opened.
    uint64_t reopen =
        (flags & ~static_cast<uint64_t>(O_CREAT | O_EXCL | O_NOFOLLOW)) |
        O_CLOEXEC;
    return Reopen(std::move(r.object), st, reopen, flags & O_CLOEXEC);
  }
  // A missing name with a trailing slash is no file to create.
  if (r.object_error == ENOENT && (flags & O_CREAT) &&
      absl::EndsWith(req.paths[0], "/")) {
    if (!Granted(r, BrokerRule::Mode::kRead)) return Deny(r);
    return Fails(EISDIR);
  }
  if (r.object_error != ENOENT || !(flags & O_CREAT) || r.last == "." ||
      r.last == "..") {
    // Say ENOENT (or whatever it was) only where the program may look.
    if (!Granted(r, BrokerRule::Mode::kRead)) return Deny(r);
    return Fails(r.object_error);
  }
  if (!Granted(r, BrokerRule::Mode::kWrite)) return Deny(r);
  // Create it, never through a symlink (a dangling one would point
  // anywhere), with the program's umask.
  OpenResult created = OpenAt2(r.dir.get(), r.last,
                               {flags | O_CLOEXEC, req.mode & 07777,
                                RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH});
  if (created.fd < 0) return Fails(created.error);
  fchmod(created.fd,
         static_cast<mode_t>(req.mode & 07777 & ~UmaskOf(req.tid())));
  return Opened(created.fd, flags & O_CLOEXEC);
}

// exec: a friendly EACCES for what is clearly not granted; the call then
// runs by path, so the real check is the event loop's at the exec stop (on
// /proc/PID/exe), where a swapped file cannot hide.
BrokerResult Broker::Exec(const BrokerRequest& req) const {
  BrokerResult run{Answer::Continue(), ScopedFd(), {}};
  if (!grants_.HasMode(BrokerRule::Mode::kExec)) return run;
  // An empty path with AT_EMPTY_PATH execs a held fd: checked at the stop.
  if (req.paths[0].empty() && (req.flags & AT_EMPTY_PATH)) return run;
  ResolvedPath r = ResolvePath(OwnerOf(req), req.Dirfd(0), req.paths[0], true,
                               Needs::kObject);
  if (r.error || r.object.get() < 0)
    return Fails(r.error ? r.error : r.object_error);
  if (!Granted(r, BrokerRule::Mode::kExec)) return Deny(r);
  return run;
}

}  // namespace sysgate
