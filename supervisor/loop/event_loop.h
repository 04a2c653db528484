// The ptrace event loop: follows every thread and child of the program,
// serves their stops through the ptrace transport, and resumes each one
// now or at a deadline (a delay of --inject), never holding the others
// meanwhile, until the last one is gone.
//
// One turn: wait (ChildWaiter, with the earliest deadline) -> every report
// ready now, decoded once (WaitStatus) -> the tracee, in O(1) -> dispatch
// -> resume now, or park until its deadline; then resume the parked
// threads whose deadline passed.
#ifndef SYSGATE_SUPERVISOR_LOOP_EVENT_LOOP_H_
#define SYSGATE_SUPERVISOR_LOOP_EVENT_LOOP_H_

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <queue>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "arch/process.h"
#include "arch/syscall_access.h"
#include "supervisor/engine/decision_engine.h"
#include "supervisor/loop/ptrace_transport.h"
#include "supervisor/loop/tracee_table.h"
#include "supervisor/loop/wait_status.h"
#include "supervisor/notify/broker.h"
#include "supervisor/notify/handoffs.h"
#include "supervisor/report/report.h"

namespace sysgate {

// The PTRACE_O_* options the program is seized with.
unsigned long TraceOptions();

struct LoopOptions {
  // The file broker, when the policy has `broker` rules: a brokered call
  // that stops in ptrace is served through it (ptrace_transport.h), and
  // its `exec` grants are checked at every exec stop: the image the kernel
  // loaded must be granted, or the process is killed before it runs.
  const Broker* broker = nullptr;
  // Where the alarms of timed resumes are listed, for the guards.
  OwnProcesses* own_processes = nullptr;
  // At every exec stop, before the new image runs an instruction (fake
  // time hides the vDSO there).
  std::function<absl::Status(pid_t tid)> exec_hook;
};

class EventLoop {
 public:
  EventLoop(const DecisionEngine& engine, const SyscallAccess& access,
            Reporter& reporter, Handoffs& handoffs, LoopOptions options);

  // Serves `program` (seized, about to run) and everything it starts until
  // none is left; returns the program's own wait status. On any error of
  // sysgate's, every tracee is killed and reaped before it returns.
  absl::StatusOr<WaitStatus> Run(pid_t program);
  // Whether the program reached its exec (else its launch failed).
  bool program_exec_seen() const { return exec_seen_; }

 private:
  struct TimedResume {
    SteadyTime at;
    uint64_t ticket;
    pid_t tid;
    bool to_syscall_exit;
    bool operator>(const TimedResume& o) const { return at > o.at; }
  };

  absl::Status Serve(pid_t program);
  absl::Status Dispatch(Tracee& tracee, const WaitStatus& status);
  absl::Status OnPtraceEvent(Tracee& tracee, int event);
  absl::Status OnExec(Tracee& tracee);
  absl::Status OnSignalStop(Tracee& tracee, int signal);
  absl::Status ShowTrappedCall(Tracee& tracee, int signal);
  // At the exec stop: what a freshly loaded image may not run with.
  absl::optional<Event> UngrantedExec(const Tracee& tracee,
                                      const std::string& path) const;
  absl::optional<Event> KernelGiven(const Tracee& tracee) const;
  // `name(args)` decided as if the image had asked: an Event when denied.
  absl::optional<Event> OnBehalf(const Tracee& tracee, AbiId abi,
                                 absl::string_view name,
                                 std::initializer_list<uint64_t> args,
                                 absl::string_view detail) const;
  absl::optional<Event> Unchecked(const Tracee& tracee,
                                  absl::string_view why) const;
  Event ExecKill(const Tracee& tracee, const Provenance& by,
                 absl::string_view detail) const;
  void OnExit(pid_t tid, const WaitStatus& status);
  Tracee& Adopt(pid_t tid, pid_t tgid_hint);
  // Resumes now, or parks the thread until `plan.not_before`.
  absl::Status Resume(Tracee& tracee, const ResumePlan& plan);
  absl::Status ResumeDue();
  void KillAll();

  const DecisionEngine& engine_;
  const SyscallAccess& access_;  // Reading a trapped call's registers.
  Reporter& reporter_;
  Handoffs& handoffs_;
  LoopOptions options_;
  PtraceTransport transport_;
  TraceeTable tracees_;
  ChildWaiter waiter_;
  std::priority_queue<TimedResume, std::vector<TimedResume>,
                      std::greater<TimedResume>>
      timed_;
  uint64_t next_ticket_ = 1;
  pid_t program_ = 0;
  bool exec_seen_ = false;
  absl::optional<WaitStatus> program_status_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_LOOP_EVENT_LOOP_H_
