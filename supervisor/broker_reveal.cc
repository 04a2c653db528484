// The calls that reveal files (stat, access and readlink families),
// answered by the broker from the object it resolved itself: the kernel
// never resolves the program's path for them either.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "arch/seccomp_notify.h"
#include "arch/tracee_memory.h"
#include "supervisor/broker.h"

namespace sysgate {

// stat family: sysgate stats the object it resolved and writes the result
// into the caller's buffer. x86-64's struct stat is the host's; statx is the
// same on every ABI. i386's legacy stat64 calls (glibc uses statx) are
// checked and then let run.
void Broker::HandleStat(const Call& call) {
  const auto& a = call.args;
  bool statx_call = call.name == "statx";
  bool at_call =
      call.name == "newfstatat" || call.name == "fstatat64" || statx_call;
  int dirfd = at_call ? call.Dirfd(0) : AT_FDCWD;
  uint64_t flags = call.name == "newfstatat" || call.name == "fstatat64" ? a[3]
                   : statx_call                                          ? a[2]
                                                                         : 0;
  uint64_t buffer = at_call ? a[2] : a[1];
  if (statx_call) buffer = a[4];
  if (call.path.empty() && (flags & AT_EMPTY_PATH)) {
    // fstat of a descriptor the program already holds: nothing to reveal.
    RespondContinue(listener_, call.id()).IgnoreError();
    return;
  }
  bool follow = !(flags & AT_SYMLINK_NOFOLLOW) && call.name != "lstat" &&
                call.name != "lstat64";
  ResolvedPath r = ResolvePath(call.pid(), dirfd, call.path, follow);
  if (r.error || r.object.get() < 0)
    return LookupFailed(call, r, r.error ? r.error : r.object_error);
  if (Grant(r, BrokerRule::Mode::kRead) == nullptr) return Deny(call, r);
  absl::Status written;
  if (statx_call) {
    struct statx stx;
    if (syscall(SYS_statx, r.object.get(), "",
                AT_EMPTY_PATH | (flags & AT_STATX_SYNC_TYPE),
                static_cast<unsigned>(a[3]), &stx) != 0) {
      RespondNotification(listener_, call.id(), 0, errno).IgnoreError();
      return;
    }
    written = WriteTraceeMemory(call.pid(), buffer, &stx, sizeof(stx));
  } else if (call.abi->id() == HostAbis()[0]) {
    struct stat st;
    if (fstat(r.object.get(), &st) != 0) {
      RespondNotification(listener_, call.id(), 0, errno).IgnoreError();
      return;
    }
    written = WriteTraceeMemory(call.pid(), buffer, &st, sizeof(st));
  } else {
    RespondContinue(listener_, call.id()).IgnoreError();
    return;
  }
  RespondNotification(listener_, call.id(), 0, written.ok() ? 0 : EFAULT)
      .IgnoreError();
}

// access family: the check runs on the resolved object, with sysgate's
// credentials (the program's own, as sysgate runs it unchanged).
void Broker::HandleAccess(const Call& call) {
  const auto& a = call.args;
  bool at_call = call.name != "access";
  int mode = static_cast<int>(at_call ? a[2] : a[1]);
  uint64_t flags = call.name == "faccessat2" ? a[3] : 0;
  ResolvedPath r = ResolvePath(call.pid(), at_call ? call.Dirfd(0) : AT_FDCWD,
                               call.path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (r.error || r.object.get() < 0)
    return LookupFailed(call, r, r.error ? r.error : r.object_error);
  BrokerRule::Mode needed =
      (mode & W_OK) ? BrokerRule::Mode::kWrite : BrokerRule::Mode::kRead;
  if (Grant(r, needed) == nullptr) return Deny(call, r);
  long rc = syscall(SYS_faccessat2, r.object.get(), "", mode,
                    AT_EMPTY_PATH | (flags & AT_EACCESS));
  RespondNotification(listener_, call.id(), 0, rc == 0 ? 0 : errno)
      .IgnoreError();
}

// readlink family: the link itself must be granted; sysgate reads it and
// writes the target into the caller's buffer.
void Broker::HandleReadlink(const Call& call) {
  const auto& a = call.args;
  bool at_call = call.name == "readlinkat";
  uint64_t buffer = at_call ? a[2] : a[1];
  int64_t size = static_cast<int32_t>(at_call ? a[3] : a[2]);
  if (size <= 0) {
    RespondNotification(listener_, call.id(), 0, EINVAL).IgnoreError();
    return;
  }
  ResolvedPath r = ResolvePath(call.pid(), at_call ? call.Dirfd(0) : AT_FDCWD,
                               call.path, /*follow_last=*/false);
  if (r.error || r.object.get() < 0)
    return LookupFailed(call, r, r.error ? r.error : r.object_error);
  if (Grant(r, BrokerRule::Mode::kRead) == nullptr) return Deny(call, r);
  char target[kMaxPath];
  ssize_t n = r.self_link.copy(target, sizeof(target));
  if (r.self_link.empty())
    n = readlinkat(r.object.get(), "", target, sizeof(target));
  if (n < 0) {
    RespondNotification(listener_, call.id(), 0,
                        errno == ENOENT ? EINVAL : errno)
        .IgnoreError();
    return;
  }
  size_t len = std::min<size_t>(n, size);
  absl::Status written = WriteTraceeMemory(call.pid(), buffer, target, len);
  RespondNotification(listener_, call.id(),
                      written.ok() ? static_cast<int64_t>(len) : 0,
                      written.ok() ? 0 : EFAULT)
      .IgnoreError();
}

}  // namespace sysgate
