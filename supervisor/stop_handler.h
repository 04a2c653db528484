// Serves one PTRACE_EVENT_SECCOMP stop: reads the call, asks the policy
// engine which rule decides, applies it through the ABI layer, reports it,
// and says how to resume. Only the ptrace requests the decision needs are
// made: one GET_SYSCALL_INFO to read, none to allow, two single-register
// writes to skip with a value.
#ifndef SYSGATE_SUPERVISOR_STOP_HANDLER_H_
#define SYSGATE_SUPERVISOR_STOP_HANDLER_H_

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "arch/syscall_access.h"
#include "supervisor/call_decision.h"
#include "supervisor/policy_engine.h"
#include "supervisor/report.h"
#include "supervisor/tracee_table.h"

namespace sysgate {

enum class Resume {
  kContinue,       // PTRACE_CONT.
  kToSyscallExit,  // PTRACE_SYSCALL: a decision needs the call's exit.
};

// Code that decides a stopped call (the library's handlers).
using CallHandler =
    std::function<CallDecision(const SyscallStop& stop, const Tracee& tracee)>;

class StopHandler {
 public:
  StopHandler(const PolicyEngine& engine, const SyscallAccess& access,
              Reporter& reporter)
      : engine_(engine), access_(access), reporter_(reporter) {}

  // Handler i serves the rules PolicyEngine::HandlerFor maps to i.
  void SetHandlers(const std::vector<CallHandler>* handlers) {
    handlers_ = handlers;
  }

  absl::StatusOr<Resume> OnSeccompStop(Tracee& tracee);
  // At the syscall-exit stop a kToSyscallExit asked for.
  absl::Status OnSyscallExit(Tracee& tracee);

 private:
  absl::StatusOr<Resume> Apply(Tracee& tracee, const SyscallStop& stop,
                               const Verdict& verdict);
  absl::StatusOr<Resume> ApplyDecision(Tracee& tracee, const SyscallStop& stop,
                                       const std::string& rule,
                                       const CallDecision& decision);
  absl::StatusOr<Resume> Inject(Tracee& tracee, const SyscallStop& stop,
                                int rule, const InjectSpec& spec);
  // Reports a call of an ABI sysgate cannot decode, and kills its process.
  absl::StatusOr<Resume> KillUnsupportedAbi(Tracee& tracee,
                                            absl::string_view abi);
  // Skips with -ENOSYS and reports why a rewrite was not done.
  absl::StatusOr<Resume> Refuse(Tracee& tracee, const SyscallStop& stop,
                                const std::string& rule,
                                const std::string& why);
  void ReportCall(Event::Kind kind, const Tracee& tracee,
                  const SyscallStop& stop, const std::string& action,
                  const std::string& rule, bool foreign,
                  const std::string& detail = "");

  const PolicyEngine& engine_;
  const SyscallAccess& access_;
  Reporter& reporter_;
  const std::vector<CallHandler>* handlers_ = nullptr;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_STOP_HANDLER_H_
