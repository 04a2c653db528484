// Starts the supervised program: fork, and in the child only
// async-signal-safe work on data prepared before the fork (no allocation,
// no locks): wait until the parent has PTRACE_SEIZEd us, set
// NO_NEW_PRIVS, drop the capabilities that reach sysgate, restrict
// ourselves with Landlock if asked, install the
// compiled filter, execve. A failing step sends
// (stage, errno) up a close-on-exec pipe, so an empty pipe at EOF means the
// exec succeeded.
#ifndef SYSGATE_TRACEE_LAUNCHER_H_
#define SYSGATE_TRACEE_LAUNCHER_H_

#include <linux/seccomp.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "filters/bpf.h"

namespace sysgate {

enum class LaunchStage : int {
  kNone = 0,
  kNoNewPrivs = 1,
  kSeccomp = 2,
  kExec = 3,
  kNotifyFilter = 4,
  kLandlock = 5,
  kCapabilities = 6,
};

struct LaunchFailure {
  LaunchStage stage = LaunchStage::kNone;
  int error = 0;
};

// Where PROGRAM is, found as execvp(3) would (PATH search unless it has a
// slash). NotFound: exit 127; PermissionDenied (found, not executable):
// exit 126.
absl::StatusOr<std::string> FindProgram(const std::string& program,
                                        const std::string& path_env);

class Launcher {
 public:
  Launcher() = default;
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;
  ~Launcher();  // Closes an untaken listener and ruleset.

  // Forks the child, which blocks before doing anything observable.
  // `options` are the PTRACE_O_* flags to seize it with; `env` empty means
  // the parent's environment.
  // With `notify_filter`, that filter is installed first, with
  // SECCOMP_FILTER_FLAG_NEW_LISTENER, and its listener fd sent to us over a
  // socketpair (SCM_RIGHTS) before the main filter goes in; TakeListener()
  // hands it over.
  absl::StatusOr<pid_t> Start(const std::string& path,
                              const std::vector<std::string>& argv,
                              const std::vector<std::string>& env,
                              const BpfProgram& filter,
                              unsigned long ptrace_options,
                              const BpfProgram* notify_filter = nullptr);

  // As Start, but the child runs `fn` and exits with its result instead of
  // exec'ing (the library's RunFunction).
  absl::StatusOr<pid_t> StartFunction(
      const std::function<int()>& fn, const BpfProgram& filter,
      unsigned long ptrace_options, const BpfProgram* notify_filter = nullptr);

  // Once the child is seized and before it runs, make this process
  // undumpable (PR_SET_DUMPABLE 0): its /proc/PID/mem, process_vm_* and
  // ptrace then need CAP_SYS_PTRACE, which a program running as the same
  // user lacks. The child was forked while we were dumpable, so seizing it
  // needs nothing either; its exec sets its own dumpability.
  void MakeSupervisorUndumpable() { undumpable_ = true; }
  // The notification filter goes in with SECCOMP_FILTER_FLAG_WAIT_KILLABLE_
  // RECV (Linux 5.19): a call sysgate has received a notification for is
  // interrupted by nothing but a fatal signal, as a file call is natively
  // (an open of a regular file never fails with EINTR), and its answer can
  // never be lost to a signal.
  void WaitKillablyForNotifications() { notify_flags_ |= kWaitKillableRecv; }
  // The child restricts itself with this Landlock ruleset (landlock.h)
  // right after NO_NEW_PRIVS, before its filters are in (so that they
  // never see the call). Takes the fd; it is closed once the child has it.
  void ConfineWithLandlock(int ruleset_fd);
  // The child also drops kCapabilitiesReadingOtherProcesses (with those
  // that reach sysgate, before Landlock): for a program left to Landlock
  // alone under a read grant covering /proc, which must not read
  // sysgate's environ or maps there.
  void DropCapabilitiesReadingOtherProcesses() { drop_reading_others_ = true; }

  int TakeListener() {
    int fd = listener_;
    listener_ = -1;
    return fd;
  }

  // After the exec event (or the child's death): what failed, if anything.
  // Reads the pipe; returns kNone when the exec succeeded.
  LaunchFailure CollectFailure();

 private:
  static constexpr unsigned long kWaitKillableRecv = 1UL << 5;
  bool undumpable_ = false;
  bool drop_reading_others_ = false;
  unsigned long notify_flags_ = SECCOMP_FILTER_FLAG_NEW_LISTENER;
  absl::StatusOr<pid_t> Spawn(
      const BpfProgram& filter, unsigned long ptrace_options,
      const BpfProgram* notify_filter,
      const std::function<void(int error_fd)>& last_step);

  int error_read_fd_ = -1;
  int listener_ = -1;
  int landlock_ruleset_ = -1;
};

}  // namespace sysgate

#endif  // SYSGATE_TRACEE_LAUNCHER_H_
