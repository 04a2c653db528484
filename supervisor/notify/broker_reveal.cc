// The calls that reveal files (stat, access and readlink families),
// answered by the broker from the object it resolved itself: the kernel
// never resolves the program's path for them either.
#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>

#include "arch/file_calls.h"
#include "arch/stat_layout.h"
#include "arch/tracee_memory.h"
#include "supervisor/notify/broker.h"

namespace sysgate {
namespace {

// The caller's buffer gets `len` bytes of `data`; the call returns `value`.
BrokerResult Written(const BrokerRequest& req, uint64_t buffer,
                     const void* data, size_t len, int64_t value) {
  absl::Status written = WriteCallResult(req.tid(), buffer, data, len);
  return Answered(written.ok() ? Answer::Value(value) : Answer::Error(EFAULT));
}

}  // namespace

// A read grant, or a directory on the way to some grant: realpath, getcwd
// and programs that walk up from their cwd (git) stat each of those.
bool Broker::MayLookAt(const ResolvedPath& r) const {
  if (Granted(r, BrokerRule::Mode::kRead)) return true;
  return r.refused.empty() && grants_.LeadsTo(r.path) != nullptr &&
         r.object.get() >= 0 && S_ISDIR(r.object_stat.st_mode);
}

// stat family: sysgate stats the object it resolved and writes the result
// into the caller's buffer, in the ABI's layout (statx's is the same on
// every ABI). With AT_EMPTY_PATH and an empty path, the object is the
// caller's descriptor (an fstat, which needs no grant), still answered
// here: a call run as made would have the kernel read the path again,
// which another thread could have filled in meanwhile.
BrokerResult Broker::Stat(const BrokerRequest& req) const {
  const BrokeredCall& call = *req.call;
  uint64_t buffer = req.Arg(call.buffer);
  bool held = req.paths[0].empty() && (req.flags & AT_EMPTY_PATH);
  bool follow = !(req.flags & AT_SYMLINK_NOFOLLOW);
  ResolvedPath r = held ? ResolveHeldFd(req.tid(), req.Dirfd(0))
                        : ResolvePath(OwnerOf(req), req.Dirfd(0), req.paths[0],
                                      follow, Needs::kObject);
  if (held && r.error) return Answered(Answer::Error(r.error));
  if (r.error || r.object.get() < 0) return LookupFailed(r);
  if (!held && !MayLookAt(r)) return Deny(r);
  if (call.mask != kNoArg) {  // statx.
    struct statx stx;
    int error = StatxOfFd(r.object.get(), req.flags & AT_STATX_SYNC_TYPE,
                          static_cast<unsigned>(req.Arg(call.mask)), &stx);
    if (error) return Answered(Answer::Error(error));
    return Written(req, buffer, &stx, sizeof(stx), 0);
  }
  StatBuffer out = StatBufferFor(req.stop.abi, call.name, r.object_stat);
  if (out.error) return Answered(Answer::Error(out.error));
  return Written(req, buffer, out.bytes.data(), out.bytes.size(), 0);
}

// access family: the check runs on the resolved object, with sysgate's
// credentials (the program's own, as sysgate runs it unchanged).
BrokerResult Broker::Access(const BrokerRequest& req) const {
  ResolvedPath r =
      ResolvePath(OwnerOf(req), req.Dirfd(0), req.paths[0],
                  !(req.flags & AT_SYMLINK_NOFOLLOW), Needs::kObject);
  if (r.error || r.object.get() < 0) return LookupFailed(r);
  int mode = static_cast<int>(req.mode);
  BrokerRule::Mode needed =
      (mode & W_OK) ? BrokerRule::Mode::kWrite : BrokerRule::Mode::kRead;
  bool looks = needed == BrokerRule::Mode::kRead && MayLookAt(r);
  if (!looks && !Granted(r, needed)) return Deny(r);
  int error = AccessOfFd(r.object.get(), mode,
                         static_cast<int>(req.flags & AT_EACCESS));
  return Answered(error ? Answer::Error(error) : Answer::Value(0));
}

// readlink family: the link itself must be granted; sysgate reads it and
// writes the target into the caller's buffer.
BrokerResult Broker::Readlink(const BrokerRequest& req) const {
  const BrokeredCall& call = *req.call;
  int64_t size = static_cast<int32_t>(req.Arg(call.size));
  if (size <= 0) return Answered(Answer::Error(EINVAL));
  ResolvedPath r = ResolvePath(OwnerOf(req), req.Dirfd(0), req.paths[0],
                               /*follow_last=*/false, Needs::kObject);
  if (r.error || r.object.get() < 0) return LookupFailed(r);
  if (!Granted(r, BrokerRule::Mode::kRead)) {
    // A directory on the way to a grant is no link, as stat shows anyway
    // (realpath reads each component).
    if (MayLookAt(r)) return Answered(Answer::Error(EINVAL));
    return Deny(r);
  }
  char target[kMaxPath];
  ssize_t n = r.self_link.copy(target, sizeof(target));
  if (r.self_link.empty())
    n = readlinkat(r.object.get(), "", target, sizeof(target));
  if (n < 0) return Answered(Answer::Error(errno == ENOENT ? EINVAL : errno));
  size_t len = std::min<size_t>(n, size);
  return Written(req, req.Arg(call.buffer), target, len,
                 static_cast<int64_t>(len));
}

// chdir: a directory the program may look at (as stat), checked on the
// resolved object; the call then runs by path. A path swapped meanwhile
// moves only where later relative paths start, and every one of those is
// resolved from the cwd and checked again, so no more is revealed than a
// stat would.
BrokerResult Broker::Chdir(const BrokerRequest& req) const {
  ResolvedPath r = ResolvePath(OwnerOf(req), req.Dirfd(0), req.paths[0], true,
                               Needs::kObject);
  if (r.error || r.object.get() < 0) return LookupFailed(r);
  if (!MayLookAt(r)) return Deny(r);
  if (!S_ISDIR(r.object_stat.st_mode)) return Answered(Answer::Error(ENOTDIR));
  return Answered(Answer::Continue());
}

// statfs family: as stat, from the object's file system, in the ABI's
// layout.
BrokerResult Broker::Statfs(const BrokerRequest& req) const {
  const BrokeredCall& call = *req.call;
  ResolvedPath r = ResolvePath(OwnerOf(req), req.Dirfd(0), req.paths[0], true,
                               Needs::kObject);
  if (r.error || r.object.get() < 0) return LookupFailed(r);
  if (!MayLookAt(r)) return Deny(r);
  struct statfs fs;
  if (fstatfs(r.object.get(), &fs) != 0) return Answered(Answer::Error(errno));
  StatBuffer out =
      StatfsBufferFor(req.stop.abi, call.name, fs, req.Arg(call.size));
  if (out.error) return Answered(Answer::Error(out.error));
  return Written(req, req.Arg(call.buffer), out.bytes.data(), out.bytes.size(),
                 0);
}

// getxattr/listxattr: the object's attributes are its content's kin: a
// read grant. Read by sysgate, written into the caller's buffer.
BrokerResult Broker::XattrRead(const BrokerRequest& req) const {
  const BrokeredCall& call = *req.call;
  constexpr size_t kXattrSizeMax = 65536;  // XATTR_SIZE_MAX, XATTR_LIST_MAX.
  size_t size = std::min<uint64_t>(req.xattr.size, kXattrSizeMax);
  // The *at forms' at_flags (fs/xattr.c); the others imply theirs.
  if (req.flags & ~static_cast<uint64_t>(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
    return Answered(Answer::Error(EINVAL));
  bool held = req.paths[0].empty() && (req.flags & AT_EMPTY_PATH);
  ResolvedPath r =
      held ? ResolveHeldFd(req.tid(), req.Dirfd(0))
           : ResolvePath(OwnerOf(req), req.Dirfd(0), req.paths[0],
                         !(req.flags & AT_SYMLINK_NOFOLLOW), Needs::kObject);
  if (r.error || r.object.get() < 0) return LookupFailed(r);
  if (!Granted(r, BrokerRule::Mode::kRead)) return Deny(r);
  std::string value(size, '\0');
  int64_t n = XattrOfFd(r.object.get(),
                        call.text != kNoArg ? req.text.c_str() : nullptr,
                        size ? &value[0] : nullptr, size);
  if (n < 0) return Answered(Answer::Error(static_cast<int>(-n)));
  if (size == 0) return Answered(Answer::Value(n));  // The size needed.
  return Written(req, req.xattr.address, value.data(), n, n);
}

// inotify_add_watch: what a watch reveals (names and events under a
// directory, accesses to a file) is a read's. IN_DONT_FOLLOW and
// IN_ONLYDIR keep their meaning: the first in the resolution, the second
// checked by the kernel on the object.
BrokerResult Broker::Watch(const BrokerRequest& req) const {
  uint32_t mask = static_cast<uint32_t>(req.Arg(req.call->mask));
  ResolvedPath r = ResolvePath(OwnerOf(req), req.Dirfd(0), req.paths[0],
                               !(mask & IN_DONT_FOLLOW), Needs::kObject);
  if (r.error || r.object.get() < 0) return LookupFailed(r);
  if (!Granted(r, BrokerRule::Mode::kRead)) return Deny(r);
  int wd = WatchOfFd(req.through.get(), r.object.get(), mask);
  if (wd < 0) return Answered(Answer::Error(-wd));
  return Answered(Answer::Value(wd));
}

}  // namespace sysgate
