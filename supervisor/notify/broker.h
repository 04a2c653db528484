// The file broker: performs a brokered call (brokered_calls.h) for the
// program, on objects it resolved itself, and says what the call gets.
// Either transport asks it: the notification server for the calls the
// notification filter hands over, a ptrace stop for one an injection or a
// handler passed over (an open there is handed to the notification server,
// which alone can install a descriptor in the caller).
//
// Resolution (path_resolver.h): against the caller's root, cwd or dirfd,
// through /proc/PID/{root,cwd,fd/N}; the directory part is opened O_PATH
// (following symlinks), then the last component O_PATH (following it
// unless O_NOFOLLOW). The path the kernel reports for that object is what
// the `broker` rules must grant, and an open gets a reopening of that very
// object, installed in the caller by SECCOMP_IOCTL_NOTIF_ADDFD with
// SECCOMP_ADDFD_FLAG_SEND: at the lowest free number, O_CLOEXEC as asked,
// as the call's own result. The kernel never reads the caller's path
// buffer, so nothing the program does to it after the call can change
// which file it gets, and the program holds no channel to sysgate. A
// missing last component is created only with O_CREAT, only if its
// resolved path is granted for write, and never through a symlink
// (RESOLVE_NO_SYMLINKS), so neither a symlink nor `..` reaches outside a
// grant.
#ifndef SYSGATE_SUPERVISOR_NOTIFY_BROKER_H_
#define SYSGATE_SUPERVISOR_NOTIFY_BROKER_H_

#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/types/optional.h"
#include "filters/policy.h"
#include "supervisor/engine/provenance.h"
#include "supervisor/notify/answer.h"
#include "supervisor/notify/broker_request.h"
#include "supervisor/notify/path_grants.h"
#include "supervisor/notify/path_resolver.h"

namespace sysgate {

// A call the broker refused, to be reported: who refused it (the broker
// default, or a guard for objects no grant may reach) and what the path
// resolved to.
struct BrokerDenial {
  Provenance by;
  std::string resolved;
  std::string refused;  // Why no grant could reach it, for a guard.
};

struct BrokerResult;

// What a call that waits on a thread of its own may ask meanwhile: whether
// its caller still waits for it (the notification is valid, no signal
// sysgate forwarded failed it, and the caller has no signal pending that
// would have interrupted the call). A call that may no longer go on stops
// before it has any further effect.
class PendingWait {
 public:
  virtual ~PendingWait() = default;
  // The call was answered already, or its caller is gone (its tid may
  // name another process by now): nothing more may be done for it.
  virtual bool Gone() const = 0;
  // 0 while the call may go on waiting; once it is gone, or the caller has
  // a signal pending, the error it ends with: kRestartSyscallErrno when
  // that signal stays for the caller (the kernel then restarts the call
  // after a SA_RESTART handler, as natively, or fails it with EINTR),
  // EINTR otherwise. One read of the caller's status decides both.
  virtual int StopError() const = 0;
};

// A call that may block (an open of a FIFO waiting for its other end, a
// connect or a send on a blocking socket): checked, resolved and read, but
// left to a thread of its own, which `finish` may block, so that it parks
// no server. It owns everything the call needs.
struct PendingCall {
  std::function<BrokerResult(const PendingWait&)> finish;
};

struct BrokerResult {
  Answer answer;
  ScopedFd fd;  // Owns answer.fd for Answer::Kind::kFd.
  absl::optional<BrokerDenial> denial;
  // Set instead of an answer for a call that may block.
  std::shared_ptr<PendingCall> pending;
};

// The result of a call left to a thread of its own.
BrokerResult PendingResult(
    std::function<BrokerResult(const PendingWait&)> finish);

// The program's umask, which applies to files it creates through us.
mode_t UmaskOf(pid_t tid);

// The caller's umask for what this thread creates. The notification
// server's threads have file system contexts of their own (CLONE_FS), so
// this is that thread's alone; calls that create are always served there
// (ServedOnNotifyThread).
class CallerUmask {
 public:
  explicit CallerUmask(pid_t tid) : saved_(umask(UmaskOf(tid))) {}
  ~CallerUmask() { umask(saved_); }
  CallerUmask(const CallerUmask&) = delete;
  CallerUmask& operator=(const CallerUmask&) = delete;

 private:
  mode_t saved_;
};

inline BrokerResult Answered(Answer a) { return {a, ScopedFd(), {}, {}}; }
// The errno of a libc call that returns 0 or -1, or 0.
inline int ErrnoOf(int rc) { return rc == 0 ? 0 : errno; }
// The answer to a call sysgate made for the program: 0, or the errno it
// failed with.
inline BrokerResult Outcome(int error) {
  return Answered(error ? Answer::Error(error) : Answer::Value(0));
}

class Broker {
 public:
  explicit Broker(const Policy& policy);

  // Performs `request`, whose operands are read. Thread-safe.
  BrokerResult Serve(const BrokerRequest& request) const;

  const PathGrants& grants() const { return grants_; }

  // The program's Landlock domain confines its abstract AF_UNIX sockets
  // (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET), which the kernel checks against
  // whoever connects: sysgate, doing it for the program, refuses them.
  void ScopeAbstractSockets() { abstract_scoped_ = true; }

 private:
  BrokerResult Open(const BrokerRequest& r) const;
  BrokerResult OpenAsPath(const ResolvedPath& r, uint64_t flags) const;
  BrokerResult Stat(const BrokerRequest& r) const;
  BrokerResult Access(const BrokerRequest& r) const;
  BrokerResult Readlink(const BrokerRequest& r) const;
  BrokerResult Chdir(const BrokerRequest& r) const;
  BrokerResult Statfs(const BrokerRequest& r) const;
  BrokerResult XattrRead(const BrokerRequest& r) const;
  BrokerResult XattrChange(const BrokerRequest& r) const;  // broker_change.cc
  BrokerResult Watch(const BrokerRequest& r) const;
  // broker_socket.cc: the socket calls that may name a file.
  BrokerResult Bind(const BrokerRequest& r) const;
  BrokerResult Connect(const BrokerRequest& r) const;
  BrokerResult SendTo(const BrokerRequest& r) const;
  BrokerResult SendMessages(const BrokerRequest& r) const;
  BrokerResult Exec(const BrokerRequest& r) const;
  // broker_change.cc: the calls that change the tree or its objects.
  BrokerResult Remove(const BrokerRequest& r) const;
  BrokerResult MakeDir(const BrokerRequest& r) const;
  BrokerResult MakeNode(const BrokerRequest& r) const;
  BrokerResult Rename(const BrokerRequest& r) const;
  BrokerResult Link(const BrokerRequest& r) const;
  BrokerResult Symlink(const BrokerRequest& r) const;
  BrokerResult Chmod(const BrokerRequest& r) const;
  BrokerResult Chown(const BrokerRequest& r) const;
  BrokerResult Truncate(const BrokerRequest& r) const;
  BrokerResult Times(const BrokerRequest& r) const;
  // Null when `r` names something the call may change (a write grant);
  // otherwise what the call gets.
  absl::optional<BrokerResult> RefuseChange(const ResolvedPath& r) const;
  // The object a chmod-like call changes, resolved into `r`: null when the
  // call may go on; otherwise what it gets.
  absl::optional<BrokerResult> ChangedObject(const BrokerRequest& req,
                                             ResolvedPath& r) const;

  // For an AF_UNIX socket's `address`: null when it may be reached, then
  // rewritten to reach the socket file sysgate resolved (held in `held`);
  // otherwise what the call gets.
  absl::optional<BrokerResult> UnixPeer(const BrokerRequest& req,
                                        std::string& address,
                                        ScopedFd& held) const;

  // The grant for a resolved object; null for one no grant may reach.
  bool Granted(const ResolvedPath& r, BrokerRule::Mode mode) const;
  bool HeldThatWay(const ResolvedPath& r, uint64_t flags) const;
  // Whether stat and access may answer for `r` (broker_reveal.cc).
  bool MayLookAt(const ResolvedPath& r) const;
  // The call fails with the broker default's errno, reported.
  BrokerResult Deny(const ResolvedPath& r) const;
  BrokerResult DenyBy(const ResolvedPath& r, Provenance by) const;
  // Refused whatever the grants (a device node), reported as a guard's.
  BrokerResult Refuse(const ResolvedPath& r, int error, const char* why) const;
  // A failed lookup: its real errno only where the program may look, else
  // the default denial.
  BrokerResult LookupFailed(const ResolvedPath& r) const;

  // Whose paths a request's are (PathOwner).
  PathOwner OwnerOf(const BrokerRequest& r) const {
    return {r.tid(), program_root_.get()};
  }

  PathGrants grants_;
  int default_errno_;
  // sysgate's root, opened before the program starts: the program's, for
  // good (PathOwner).
  ScopedFd program_root_;
  bool abstract_scoped_ = false;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_BROKER_H_
