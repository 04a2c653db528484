// The ptrace event loop: starts the program under the compiled filter,
// follows every thread and child it creates, and serves their stops until
// the last one is gone. The CLI and the library both run programs through
// this class.
#ifndef SYSGATE_SUPERVISOR_SUPERVISOR_H_
#define SYSGATE_SUPERVISOR_SUPERVISOR_H_

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "arch/syscall_access.h"
#include "supervisor/broker.h"
#include "supervisor/policy_engine.h"
#include "supervisor/report.h"
#include "supervisor/stop_handler.h"
#include "supervisor/tracee_table.h"
#include "supervisor/wait_status.h"
#include "tracee/launcher.h"

namespace sysgate {

struct RunResult {
  WaitStatus status;  // Of the program sysgate started.
  int ShellStatus() const { return status.ShellStatus(); }
};

// Why the program never ran. Exit statuses follow the shell: 127 when it
// was not found, 126 when it could not be executed.
struct ExecFailure {
  int exit_status = 127;
  std::string message;  // "cannot execute 'PROG': No such file or directory"
};

class Supervisor {
 public:
  Supervisor(const PolicyEngine& engine, const SyscallAccess& access,
             Reporter& reporter);

  // argv[0] is looked up in PATH as execvp does. `env` empty: inherit.
  // Returns the program's wait status; an ExecFailure is reported through
  // exec_failure() with a FailedPrecondition status.
  absl::StatusOr<RunResult> Run(const std::vector<std::string>& argv,
                                const std::vector<std::string>& env = {});

  // Runs at every exec stop, before the new image runs (fake time hides the
  // vDSO there).
  void SetExecHook(std::function<absl::Status(pid_t tid)> hook) {
    exec_hook_ = std::move(hook);
  }
  // Handlers for the engine's handled calls (EngineOptions::handled_syscalls).
  // The command line's choice: make sysgate undumpable once the program
  // is seized (Launcher::MakeSupervisorUndumpable). A library leaves its
  // host process as it is.
  void ProtectFromProgram() { protect_from_program_ = true; }

  void SetHandlers(const std::vector<CallHandler>* handlers) {
    stops_.SetHandlers(handlers);
  }

  // Runs `fn` in a forked child under the filter instead of a program
  // (no exec). The child is a fork of this process: keep `fn` to what is
  // safe after fork in a process with threads.
  absl::StatusOr<RunResult> RunFunction(const std::function<int()>& fn);

  const ExecFailure& exec_failure() const { return exec_failure_; }
  // The started program's pid, 0 until it exists: for forwarding signals
  // from a signal handler.
  const std::atomic<pid_t>& started_pid() const { return main_pid_; }

 private:
  absl::StatusOr<RunResult> Launch(
      Launcher& launcher,
      const std::function<absl::StatusOr<pid_t>(const BpfProgram* notify)>&
          start,
      const std::string& name);
  absl::Status Dispatch(Tracee& tracee, const WaitStatus& status);
  absl::Status OnPtraceEvent(Tracee& tracee, int event);
  absl::Status OnSignalStop(Tracee& tracee, int signal);
  void OnExit(pid_t tid, const WaitStatus& status);
  Tracee& Adopt(pid_t tid, pid_t tgid_hint);

  const PolicyEngine& engine_;
  const SyscallAccess& access_;
  Reporter& reporter_;
  StopHandler stops_;
  // Serves the engine's notify filter, when it has one, during a run.
  std::unique_ptr<Broker> broker_;
  std::function<absl::Status(pid_t tid)> exec_hook_;
  TraceeTable tracees_;
  std::atomic<pid_t> main_pid_{0};
  bool exec_seen_ = false;
  bool protect_from_program_ = false;
  absl::optional<WaitStatus> main_status_;
  ExecFailure exec_failure_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_SUPERVISOR_H_
