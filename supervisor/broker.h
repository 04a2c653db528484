// The file broker: open, openat, openat2 and creat never run in the
// program; neither do the calls that reveal files (stat family, access
// family, readlink family), which sysgate answers itself; execve/execveat
// are checked against `broker exec` rules. A second seccomp filter turns them
// into user notifications (SECCOMP_RET_USER_NOTIF); this class, on its own
// thread, reads the path once, resolves it itself against the caller's root,
// cwd or dirfd, checks the *resolved* object against the `broker` rules, opens
// it, and installs the descriptor in the caller with SECCOMP_IOCTL_NOTIF_ADDFD
// and SECCOMP_ADDFD_FLAG_SEND: at the lowest free number, O_CLOEXEC as asked,
// as the call's own result. The kernel never reads the caller's path
// buffer, so nothing the program does to it after the call can change
// which file it gets (no TOCTOU), and the program holds no channel to
// sysgate it could read or abuse.
//
// Resolution: the directory part is opened O_PATH (following symlinks),
// then the last component O_PATH (following it unless O_NOFOLLOW); the path
// the kernel reports for that object is what the rules must grant, and the
// program gets a reopening of that very object. A missing last component is
// created only with O_CREAT, only if its resolved path is granted for
// write, and never through a symlink (RESOLVE_NO_SYMLINKS). So neither a
// symlink nor `..` can reach outside a grant.
#ifndef SYSGATE_SUPERVISOR_BROKER_H_
#define SYSGATE_SUPERVISOR_BROKER_H_

#include <linux/seccomp.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "arch/abi.h"
#include "arch/syscall_stop.h"
#include "filters/bpf.h"
#include "filters/policy.h"
#include "supervisor/path_grants.h"
#include "supervisor/path_resolver.h"
#include "supervisor/policy_engine.h"
#include "supervisor/report.h"

namespace sysgate {

// What the broker decided for one open.
struct BrokeredOpen {
  int fd = -1;                       // Ours, to hand over; -1 when failing.
  int error = 0;                     // errno for the program when fd < 0.
  std::string resolved;              // The object's path, as resolved.
  const BrokerRule* rule = nullptr;  // The grant; null when denied by default.
  bool denied = false;  // A policy denial (as opposed to ENOENT, ...).
  std::string refused;  // Why no grant could reach it (ResolvedPath).
};

struct OpenRequest {
  int dirfd = -100;  // AT_FDCWD.
  std::string path;
  uint64_t flags = 0;
  uint64_t mode = 0;
  uint64_t resolve = 0;  // openat2's RESOLVE_* from the program, kept.
};

class Broker {
 public:
  // Serves the engine's notify_filter(): the broker's calls under its
  // broker rules, and the rules the engine answers by notification.
  Broker(const PolicyEngine& engine, Reporter& reporter);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Serves `listener` (which it takes over) on a thread until Stop() or
  // until no process uses the filter.
  absl::Status Start(int listener);
  void Stop();

  // One open on behalf of process `pid`, as the broker thread does it.
  BrokeredOpen Open(pid_t pid, const OpenRequest& request) const;

  // After an exec (the PTRACE_EVENT_EXEC stop, before the new program runs
  // an instruction): whether `exe` (/proc/PID/exe) may run. Always true
  // without `broker exec` rules.
  bool ExecAllowed(const std::string& exe) const;

 private:
  // One notification: who, which call, its arguments on the caller's ABI.
  struct Call {
    const seccomp_notif* notif;
    const Abi* abi;
    std::string name;
    std::array<uint64_t, 6> args;
    std::string path;  // Read once from the caller.
    uint64_t id() const { return notif->id; }
    pid_t pid() const { return static_cast<pid_t>(notif->pid); }
    int Dirfd(int arg) const { return static_cast<int32_t>(args[arg]); }
    // The call as a stop would describe it.
    SyscallStop Stop() const {
      SyscallStop stop;
      stop.tid = pid();
      stop.abi = abi->id();
      stop.nr = notif->data.nr;
      stop.args = args;
      stop.ip = notif->data.instruction_pointer;
      return stop;
    }
  };
  static constexpr size_t kMaxPath = 4096;  // PATH_MAX.
  void Serve();
  void Handle(const struct seccomp_notif& notif);
  void HandleOpen(const Call& call);
  void HandleStat(const Call& call);
  void HandleAccess(const Call& call);
  void HandleReadlink(const Call& call);
  void HandleExec(const Call& call);
  // emulate, answered without a ptrace stop.
  void HandlePolicy(const Call& call);
  void Report(Event::Kind kind, const Call& call, const std::string& action,
              const std::string& rule, const std::string& detail);
  // Fails the call with the default errno and reports it.
  // The grant for a resolved object; null for one no grant may reach.
  const BrokerRule* Grant(const ResolvedPath& r, BrokerRule::Mode mode) const;
  // Fails the call with the broker's errno and reports who refused it.
  void Deny(const Call& call, const std::string& resolved,
            const std::string& refused);
  void Deny(const Call& call, const ResolvedPath& r) {
    Deny(call, r.path, r.refused);
  }
  // The error a failed lookup shows: the real one only where the program
  // may look, else the default denial.
  void LookupFailed(const Call& call, const ResolvedPath& r, int error);

  const PolicyEngine& engine_;
  PathGrants grants_;
  int default_errno_;
  Reporter& reporter_;
  int listener_ = -1;
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_BROKER_H_
