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

#include <sys/types.h>

#include <cstdint>
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

// An open that may block (a FIFO waits for its other end, a terminal for
// its carrier): checked and resolved, but the reopening is left to a
// thread of its own (FinishOpen), so that it parks no server.
struct PendingOpen {
  ScopedFd object;  // O_PATH of the object that was granted.
  int flags = 0;    // For the reopening.
  bool close_on_exec = false;
};

struct BrokerResult {
  Answer answer;
  ScopedFd fd;  // Owns answer.fd for Answer::Kind::kFd.
  absl::optional<BrokerDenial> denial;
  // Set instead of an answer for an open that may block.
  std::shared_ptr<PendingOpen> pending;
};

// Completes a pending open (it may block); the result answers the call.
BrokerResult FinishOpen(PendingOpen& open);

// The program's umask, which applies to files it creates through us.
mode_t UmaskOf(pid_t tid);

inline BrokerResult Answered(Answer a) { return {a, ScopedFd(), {}, {}}; }
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

 private:
  BrokerResult Open(const BrokerRequest& r) const;
  BrokerResult OpenAsPath(const ResolvedPath& r, uint64_t flags) const;
  BrokerResult Stat(const BrokerRequest& r) const;
  BrokerResult Access(const BrokerRequest& r) const;
  BrokerResult Readlink(const BrokerRequest& r) const;
  BrokerResult Chdir(const BrokerRequest& r) const;
  BrokerResult Statfs(const BrokerRequest& r) const;
  BrokerResult XattrRead(const BrokerRequest& r) const;
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

  // The grant for a resolved object; null for one no grant may reach.
  bool Granted(const ResolvedPath& r, BrokerRule::Mode mode) const;
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

  PathGrants grants_;
  int default_errno_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_BROKER_H_
