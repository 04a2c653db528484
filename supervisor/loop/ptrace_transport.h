// The ptrace transport: serves one PTRACE_EVENT_SECCOMP stop (and the
// syscall-exit stop it may ask for). It reads the call once, has the
// engine decide it once, reports the decision, and applies it through the
// ABI layer in one place (Apply), with only the ptrace requests the
// decision needs: one GET_SYSCALL_INFO to read, none to allow, two
// single-register writes to skip with a value, one number write to kill,
// trap or hand the call to the broker.
#ifndef SYSGATE_SUPERVISOR_LOOP_PTRACE_TRANSPORT_H_
#define SYSGATE_SUPERVISOR_LOOP_PTRACE_TRANSPORT_H_

#include "absl/status/statusor.h"
#include "arch/process.h"
#include "arch/syscall_access.h"
#include "supervisor/engine/decision.h"
#include "supervisor/engine/decision_engine.h"
#include "supervisor/loop/tracee_table.h"
#include "supervisor/notify/broker.h"
#include "supervisor/notify/handoffs.h"
#include "supervisor/report/report.h"

namespace sysgate {

// How and when a stopped thread goes on.
struct ResumePlan {
  bool to_syscall_exit = false;  // PTRACE_SYSCALL: the decision needs the exit.
  SteadyTime not_before = SteadyTime::min();  // A delay: not before this.
};

class PtraceTransport {
 public:
  // `broker` is null when the policy has no `broker` rules.
  PtraceTransport(const DecisionEngine& engine, const SyscallAccess& access,
                  Reporter& reporter, const Broker* broker, Handoffs& handoffs)
      : engine_(engine),
        access_(access),
        reporter_(reporter),
        broker_(broker),
        handoffs_(handoffs) {}

  absl::StatusOr<ResumePlan> OnSeccompStop(Tracee& tracee);
  // At the syscall-exit stop a plan with to_syscall_exit asked for.
  absl::StatusOr<ResumePlan> OnSyscallExit(Tracee& tracee);

 private:
  absl::StatusOr<ResumePlan> Apply(Tracee& tracee, const SyscallStop& stop,
                                   Decision d);
  // The register writes of each kind of decision.
  absl::Status Enter(const SyscallStop& stop, pid_t pid, Decision& d);
  // A brokered call: an open goes to the notification server (HandOff),
  // which alone can install a descriptor; the broker answers the others
  // here.
  absl::Status Brokered(const SyscallStop& stop, pid_t pid, const Decision& d);
  absl::Status HandOff(const SyscallStop& stop, const Decision& d);
  // Skips with -ENOSYS and reports why a change was not made.
  absl::Status Refuse(const SyscallStop& stop, Decision& d, pid_t pid,
                      const absl::Status& why);
  // Reports a call of an ABI sysgate cannot decode, and kills its process.
  ResumePlan KillUnsupportedAbi(Tracee& tracee, absl::string_view abi);

  const DecisionEngine& engine_;
  const SyscallAccess& access_;
  Reporter& reporter_;
  const Broker* broker_;
  Handoffs& handoffs_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_LOOP_PTRACE_TRANSPORT_H_
