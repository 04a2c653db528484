#include "supervisor/notify/notify_transport.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "arch/procfs.h"
#include "arch/seccomp.h"
#include "filters/constants.h"
#include "supervisor/engine/reserved.h"
#include "supervisor/notify/broker_request.h"
#include "supervisor/notify/notify_server.h"
#include "supervisor/notify/pending_opens.h"
#include "supervisor/report/call_format.h"
#include "supervisor/report/decision_events.h"

namespace sysgate {
namespace {

SyscallStop CallOf(const seccomp_notif& notif, const Abi& abi) {
  SyscallStop call;
  call.tid = static_cast<pid_t>(notif.pid);  // A notification names a thread.
  call.abi = abi.id();
  call.nr = notif.data.nr;
  for (int i = 0; i < 6; ++i) call.args[i] = abi.ArgWord(notif.data.args[i]);
  call.ip = notif.data.instruction_pointer;
  return call;
}

}  // namespace

void ReportBrokerDenial(Reporter& reporter, const DecisionEngine& engine,
                        pid_t pid, const SyscallStop& call,
                        const BrokerResult& result) {
  if (!result.denial) return;
  const BrokerDenial& denial = *result.denial;
  ReportCall(reporter, pid, call,
             {Event::Kind::kViolation,
              absl::StrCat("errno(", ErrnoName(result.answer.error), ")"),
              engine.RuleText(denial.by), denial.by, false,
              // The path is the program's choice: escaped, so that no newline
              // in it can start a report line of its own.
              denial.refused.empty()
                  ? absl::StrCat("resolved to ", EscapeString(denial.resolved))
                  : absl::StrCat("resolved to ", EscapeString(denial.resolved),
                                 ": ", denial.refused)});
}

absl::Status NotifyTransport::Serve(int listener,
                                    const seccomp_notif& notif) const {
  const Abi* abi = AbiForAuditArch(notif.data.arch);
  pid_t tid = static_cast<pid_t>(notif.pid);
  if (abi == nullptr) {
    return SendAnswer(listener, notif.id, tid, Answer::Error(ENOSYS));
  }
  SyscallStop call = CallOf(notif, *abi);
  if (!IsHandoffNr(call.nr)) {
    Decision d = engine_.DecideNotified(call, 0);
    if (d.report != Report::kNone)
      ReportDecision(reporter_, engine_, /*pid=*/0, call, d);
    return Apply(listener, notif, call, d);
  }
  // A call a ptrace stop handed over (it reported the decision there), or a
  // program calling a hand-off number itself.
  call.nr = HandedOffNr(call.nr);
  absl::optional<Decision> handed =
      handoffs_.Take(tid, call.nr, call.args, call.ip);
  if (!handed) {
    Decision forged = Decision::Fail(ENOSYS);
    forged.by = Provenance::Of(Guard::kReservedNumber);
    forged.report = Report::kViolation;
    SyscallStop as_made = CallOf(notif, *abi);
    ReportDecision(reporter_, engine_, /*pid=*/0, as_made, forged);
    return Apply(listener, notif, as_made, forged);
  }
  absl::Status applied = Apply(listener, notif, call, *handed);
  // Interrupted by a signal (on kernels without WAIT_KILLABLE_RECV), the
  // call is made again, as the same hand-off from the same instruction.
  if (NotificationGone(applied))
    handoffs_.File(tid, call.ip, std::move(*handed));
  return applied;
}

absl::Status NotifyTransport::Apply(int listener, const seccomp_notif& notif,
                                    const SyscallStop& call,
                                    const Decision& d) const {
  switch (d.kind) {
    case Decision::Kind::kReturn:
      return SendAnswer(listener, notif.id, call.tid, Answer::Value(d.value));
    case Decision::Kind::kFail:
      return SendAnswer(listener, notif.id, call.tid,
                        Answer::Error(static_cast<int>(d.value)));
    case Decision::Kind::kBroker:
      return Brokered(listener, notif, call, d);
    default:
      // Nothing the notification filter hands over: refuse, never guess.
      return SendAnswer(listener, notif.id, call.tid, Answer::Error(ENOSYS));
  }
}

absl::Status NotifyTransport::Brokered(int listener, const seccomp_notif& notif,
                                       const SyscallStop& call,
                                       const Decision& d) const {
  // kill(2) of a thread's id ends its process, all SendAnswer needs.
  pid_t tid = call.tid;
  if (broker_ == nullptr || d.brokered == nullptr)
    return SendAnswer(listener, notif.id, tid, Answer::Error(ENOSYS));
  SyscallStop brokered = call;
  brokered.nr = d.nr;
  brokered.args = d.args;
  BrokerRequest request = MakeRequest(*d.brokered, brokered);
  int unreadable = ReadOperands(request);
  // The caller may have died and its pid been reused while we read.
  if (!NotificationValid(listener, notif.id))
    return absl::NotFoundError("the notification is gone");
  if (unreadable)
    return SendAnswer(listener, notif.id, tid, Answer::Error(unreadable));
  BrokerResult result = broker_->Serve(request);
  ReportBrokerDenial(reporter_, engine_, /*pid=*/0, call, result);
  if (result.pending)
    return FinishOnItsOwnThread(listener, notif.id, tid,
                                std::move(result.pending));
  return SendAnswer(listener, notif.id, tid, result.answer);
}

namespace {

// What a pending call's thread owns: its listener (a dup: the server's may
// be closed by then), its slot, the call.
struct PendingWork {
  int listener;
  uint64_t id;
  pid_t tid;
  std::unique_ptr<PendingOpenSlot> slot;
  std::shared_ptr<PendingCall> call;
};

class CallerWaits : public PendingWait {
 public:
  explicit CallerWaits(const PendingWork& work) : work_(work) {}
  bool Gone() const override {
    return work_.slot->interrupted() ||
           !NotificationValid(work_.listener, work_.id);
  }
  int StopError() const override {
    if (Gone()) return EINTR;
    switch (InterruptingSignalOf(work_.tid)) {
      case PendingInterrupt::kNone:
        return 0;
      case PendingInterrupt::kStaysForThread:
        return kRestartSyscallErrno;
      case PendingInterrupt::kMayBeTaken:
        break;
    }
    return EINTR;
  }

 private:
  const PendingWork& work_;
};

void* FinishPendingCall(void* arg) {
  std::unique_ptr<PendingWork> work(static_cast<PendingWork*>(arg));
  CallerWaits waits(*work);
  BrokerResult done = Answered(Answer::Error(EINTR));
  if (!work->slot->interrupted()) {
    PeriodicWake wake(NotifyServer::WakeSignal(), kPendingWakeMs);
    done = work->call->finish(waits);
  }
  // Interrupted meanwhile, the call is answered already (NotFound).
  absl::Status sent =
      SendAnswer(work->listener, work->id, work->tid, done.answer);
  if (!sent.ok() && !NotificationGone(sent))
    absl::FPrintF(stderr, "sysgate: %s\n", sent.message());
  work->slot.reset();  // Before its listener goes.
  close(work->listener);
  return nullptr;
}

}  // namespace

// A thread per call that may block, detached: it answers the call itself
// when it returns, and ends with sysgate if it never does. A signal
// sysgate forwards fails the call with EINTR (pending_opens.h). With
// kMaxPending waiting already, or no thread to be had, the call fails with
// EAGAIN.
absl::Status NotifyTransport::FinishOnItsOwnThread(
    int listener, uint64_t id, pid_t tid,
    std::shared_ptr<PendingCall> call) const {
  int own = fcntl(listener, F_DUPFD_CLOEXEC, 0);
  if (own < 0) {
    int error = errno;
    return SendAnswer(listener, id, tid, Answer::Error(error));
  }
  std::unique_ptr<PendingOpenSlot> slot = PendingOpenSlot::Claim(
      own, id, ThreadGroupOf(tid), NotedSignalEpoch(tid));
  if (slot == nullptr) {
    close(own);
    return SendAnswer(listener, id, tid, Answer::Error(EAGAIN));
  }
  auto* work = new PendingWork{own, id, tid, std::move(slot), std::move(call)};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // Born with the server's wake signal blocked: only the workers wait to
  // be woken at Stop; this thread unblocks it for the periodic wake-ups
  // its finish expects (PeriodicWake), after which it looks at its caller.
  sigset_t wake = NotifyServer::WakeSignalSet(), before;
  pthread_sigmask(SIG_BLOCK, &wake, &before);
  pthread_t thread;
  int error = pthread_create(&thread, &attr, FinishPendingCall, work);
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  pthread_attr_destroy(&attr);
  if (error != 0) {
    delete work;  // Its slot and listener with it.
    close(own);
    return SendAnswer(listener, id, tid, Answer::Error(EAGAIN));
  }
  return absl::OkStatus();
}

}  // namespace sysgate
