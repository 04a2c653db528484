// The notification transport: serves one user notification. It makes the
// call's Decision once (or takes the one a ptrace stop handed over, for a
// hand-off number), reports it, and applies it in one place (Apply): a
// value or an errno by SECCOMP_IOCTL_NOTIF_SEND, a brokered call by the
// broker, whose descriptor goes in by ADDFD. Every notification is
// answered (answer.h).
#ifndef SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_TRANSPORT_H_
#define SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_TRANSPORT_H_

#include <linux/seccomp.h>

#include "absl/status/status.h"
#include "arch/syscall_stop.h"
#include "supervisor/engine/decision.h"
#include "supervisor/engine/decision_engine.h"
#include "supervisor/notify/broker.h"
#include "supervisor/notify/handoffs.h"
#include "supervisor/report/report.h"

namespace sysgate {

class NotifyTransport {
 public:
  // `broker` is null when the policy has no `broker` rules.
  NotifyTransport(const DecisionEngine& engine, const Broker* broker,
                  Handoffs& handoffs, Reporter& reporter)
      : engine_(engine),
        broker_(broker),
        handoffs_(handoffs),
        reporter_(reporter) {}

  // Answers `notif`, received on `listener`. An error only when the call
  // could not be answered at all (its process was killed instead).
  absl::Status Serve(int listener, const seccomp_notif& notif) const;

 private:
  // The outcome as an answer; `gone` if the notification went away.
  absl::Status Apply(int listener, const seccomp_notif& notif,
                     const SyscallStop& call, const Decision& d) const;
  absl::Status Brokered(int listener, const seccomp_notif& notif,
                        const SyscallStop& call, const Decision& d) const;
  absl::Status FinishOnItsOwnThread(int listener, uint64_t id, pid_t tid,
                                    std::shared_ptr<PendingCall> call) const;

  const DecisionEngine& engine_;
  const Broker* broker_;
  Handoffs& handoffs_;
  Reporter& reporter_;
};

// Reports a brokered call the broker refused.
void ReportBrokerDenial(Reporter& reporter, const DecisionEngine& engine,
                        pid_t pid, const SyscallStop& call,
                        const BrokerResult& result);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_NOTIFY_TRANSPORT_H_
