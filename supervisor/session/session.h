// One supervised run, assembled in one place for both front ends (the
// command line and the library): the kernel probed, the rules compiled
// into their two filters, the reporter, the fake clock and the handlers,
// the launcher, the notification server with its broker, and the ptrace
// event loop, from the program's start to its last process's end.
#ifndef SYSGATE_SUPERVISOR_SESSION_SESSION_H_
#define SYSGATE_SUPERVISOR_SESSION_SESSION_H_

#include <sys/types.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "arch/kernel_probe.h"
#include "arch/syscall_access.h"
#include "filters/policy.h"
#include "supervisor/engine/decision_engine.h"
#include "supervisor/engine/inject_spec.h"
#include "supervisor/fake_time/fake_time.h"
#include "supervisor/loop/wait_status.h"
#include "supervisor/notify/landlock_plan.h"
#include "supervisor/report/report.h"
#include "tracee/launcher.h"

namespace sysgate {

// What Landlock does under a policy with `broker` rules, where the kernel
// has it (landlock_plan.h).
enum class LandlockUse {
  kOff,  // The broker alone.
  // The kernel's second line: every brokered call still reaches the
  // broker, and what the broker never sees is still confined.
  kBehindBroker,
  // As kBehindBroker, and in a run that reports nothing (no report line,
  // log or observer) whose grants it expresses exactly, the only check on
  // the calls it confines, which then run at kernel speed.
  kAuto,
};

struct SessionOptions {
  Policy policy;
  Action fallback_default;  // The default of a policy without one.
  std::vector<InjectSpec> injects;
  std::vector<HandlerSpec> handlers;
  ReportOptions report;
  const LineWriter* report_lines = nullptr;  // Denials (stderr); null: none.
  const LineWriter* log = nullptr;           // JSON Lines; null: none.
  std::string log_path;  // Where `log` writes, for LogFileWarnings.
  std::function<void(const Event&)> observer;
  absl::optional<absl::Time> fake_time;  // --fake-time; hides the vDSO.
  bool hide_vdso = false;
  // The command line's choice: sysgate makes itself undumpable once the
  // program is seized. A library leaves its host process as it is.
  bool protect_supervisor = false;
  LandlockUse landlock = LandlockUse::kAuto;
};

// How a run ended: the program's own end, or why it never started.
struct RunOutcome {
  enum class Kind {
    kFinished,    // `status` is the program's.
    kNotStarted,  // Not found (127) or not executable (126): `message`.
  };
  Kind kind = Kind::kFinished;
  WaitStatus status;
  int exit_status = 0;  // As a shell reports it.
  std::string message;  // "cannot execute 'PROG': No such file or directory"
};

class Session {
 public:
  // FailedPrecondition when the kernel lacks SECCOMP_RET_TRACE;
  // InvalidArgument for a policy that does not compile.
  static absl::StatusOr<std::unique_ptr<Session>> Create(
      SessionOptions options);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // What this kernel cannot do for the policy (never silent).
  const std::vector<std::string>& warnings() const { return warnings_; }

  // argv[0] is looked up in PATH as execvp does. `env` empty: inherit.
  absl::StatusOr<RunOutcome> Run(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env = {});
  // Runs `fn` in a forked child under the filters instead of a program (no
  // exec). The child is a fork of this process: keep `fn` to what is safe
  // after fork in a process with threads.
  absl::StatusOr<RunOutcome> RunFunction(const std::function<int()>& fn);

  // The started program's pid, 0 until it exists: for forwarding signals
  // from a signal handler.
  const std::atomic<pid_t>& started_pid() const { return started_; }

 private:
  using Start =
      std::function<absl::StatusOr<pid_t>(Launcher&, const BpfProgram*)>;
  explicit Session(SessionOptions options, KernelProbe probe);
  // `executables`: files any exec may need (the program), for Landlock.
  absl::StatusOr<RunOutcome> Launch(
      const Start& start, const std::string& name,
      const std::vector<std::string>& executables);
  // The ruleset for this run's child, or -1 for none.
  absl::StatusOr<int> LandlockRuleset(
      const std::vector<std::string>& executables) const;
  absl::Status HookExec(pid_t tid) const;

  SessionOptions options_;
  KernelProbe probe_;
  SyscallAccess access_;
  absl::optional<FakeTime> fake_time_;
  OwnProcesses own_processes_;
  std::unique_ptr<DecisionEngine> engine_;
  std::vector<std::string> warnings_;
  absl::optional<LandlockPlan> landlock_plan_;  // Under broker rules.
  // The calls Landlock confines are left to it (a quiet run, exact plan).
  bool landlock_alone_ = false;
  std::atomic<pid_t> started_{0};
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_SESSION_SESSION_H_
