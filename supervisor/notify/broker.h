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

struct BrokerResult {
  Answer answer;
  ScopedFd fd;  // Owns answer.fd for Answer::Kind::kFd.
  absl::optional<BrokerDenial> denial;
};

class Broker {
 public:
  explicit Broker(const Policy& policy);

  // Performs `request`, whose operands are read. Thread-safe.
  BrokerResult Serve(const BrokerRequest& request) const;

  const PathGrants& grants() const { return grants_; }

 private:
  BrokerResult Open(const BrokerRequest& r) const;
  BrokerResult Stat(const BrokerRequest& r) const;
  BrokerResult Access(const BrokerRequest& r) const;
  BrokerResult Readlink(const BrokerRequest& r) const;
  BrokerResult Exec(const BrokerRequest& r) const;

  // The grant for a resolved object; null for one no grant may reach.
  const BrokerRule* Grant(const ResolvedPath& r, BrokerRule::Mode mode) const;
  // The call fails with the broker default's errno, reported.
  BrokerResult Deny(const ResolvedPath& r) const;
  // A failed lookup: its real errno only where the program may look, else
  // the default denial.
  BrokerResult LookupFailed(const ResolvedPath& r) const;

  PathGrants grants_;
  int default_errno_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_BROKER_H_
