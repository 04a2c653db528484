#include "supervisor/harness.h"

#include <signal.h>

#include "arch/syscall_access.h"
#include "arch/syscall_stop.h"
#include "arch/tracee_memory.h"
#include "filters/parser.h"
#include "supervisor/call_format.h"
#include "supervisor/fake_time.h"
#include "supervisor/kernel_probe.h"
#include "supervisor/policy_engine.h"
#include "supervisor/supervisor.h"

namespace sysgate {

Call::Call(pid_t pid, pid_t tid, AbiId abi, int nr,
           std::array<uint64_t, 6> args, uint64_t ip)
    : pid_(pid), tid_(tid), abi_(abi), nr_(nr), args_(args), ip_(ip) {}

std::string Call::name() const { return GetAbi(abi_).Name(nr_); }

std::string Call::Describe() const {
  SyscallStop stop;
  stop.tid = tid_;
  stop.abi = abi_;
  stop.nr = nr_;
  stop.args = args_;
  stop.ip = ip_;
  return FormatCall(stop);
}

absl::StatusOr<std::string> Call::ReadString(uint64_t addr, size_t max) const {
  absl::StatusOr<TraceeString> s = ReadTraceeString(tid_, addr, max);
  if (!s.ok()) return s.status();
  return s->value;
}

absl::Status Call::Read(uint64_t addr, void* out, size_t len) const {
  return ReadTraceeMemory(tid_, addr, out, len);
}

absl::Status Call::Write(uint64_t addr, const void* data, size_t len) const {
  return WriteTraceeMemory(tid_, addr, data, len);
}

Decision Decision::Allow() { return Decision(); }

Decision Decision::Fail(int error) {
  Decision d;
  d.decision_.kind = CallDecision::Kind::kFail;
  d.decision_.value = error;
  return d;
}

Decision Decision::Return(int64_t value) {
  Decision d;
  d.decision_.kind = CallDecision::Kind::kReturn;
  d.decision_.value = value;
  return d;
}

Decision Decision::Rewrite(int nr, const std::array<uint64_t, 6>& args) {
  Decision d;
  d.decision_.kind = CallDecision::Kind::kRewrite;
  d.decision_.nr = nr;
  d.decision_.args = args;
  return d;
}

Decision Decision::RewriteArgs(const Call& call,
                               const std::array<uint64_t, 6>& args) {
  return Rewrite(call.nr(), args);
}

Decision Decision::Inspect(
    std::function<absl::optional<int64_t>(int64_t)> inspect) {
  Decision d;
  d.decision_.kind = CallDecision::Kind::kInspect;
  d.decision_.on_return = std::move(inspect);
  return d;
}

std::vector<Event> HarnessResult::violations() const {
  std::vector<Event> out;
  for (const Event& e : events) {
    if (e.kind == Event::Kind::kViolation) out.push_back(e);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Harness>> Harness::Create(
    absl::string_view policy) {
  absl::StatusOr<Policy> parsed = ParsePolicy(policy, "<harness policy>");
  if (!parsed.ok()) return parsed.status();
  return Create(std::move(*parsed));
}

absl::StatusOr<std::unique_ptr<Harness>> Harness::Create(Policy policy) {
  std::unique_ptr<Harness> h(new Harness);
  h->policy_ = std::move(policy);
  return h;
}

Harness& Harness::On(absl::string_view syscall, Handler handler) {
  for (auto& [name, existing] : handlers_) {
    if (name == syscall) {
      existing = std::move(handler);
      return *this;
    }
  }
  handlers_.emplace_back(std::string(syscall), std::move(handler));
  return *this;
}

Harness& Harness::HideVdso() {
  hide_vdso_ = true;
  return *this;
}

Harness& Harness::FakeTime(absl::Time start) {
  fake_time_ = start;
  hide_vdso_ = true;
  return *this;
}

absl::Status Harness::Inject(absl::string_view spec) {
  absl::StatusOr<InjectSpec> parsed = ParseInjectSpec(spec);
  if (!parsed.ok()) return parsed.status();
  injects_.push_back(*parsed);
  return absl::OkStatus();
}

template <typename Start>
absl::StatusOr<HarnessResult> Harness::RunWith(const Start& start) {
  absl::StatusOr<KernelProbe> probe = ProbeKernel(/*full=*/false);
  if (!probe.ok()) return probe.status();
  EngineOptions options;
  options.actions = probe->actions;
  options.routing.trace_denials = true;  // Violations become events.
  options.broker_rules = policy_.broker_rules;
  options.broker_default_errno = policy_.broker_default_errno.value_or(EACCES);
  for (const auto& h : handlers_) options.handled_syscalls.push_back(h.first);
  if (fake_time_) {
    for (const std::string& call : ::sysgate::FakeTime::Calls())
      options.handled_syscalls.push_back(call);
  }
  absl::StatusOr<std::unique_ptr<PolicyEngine>> engine =
      PolicyEngine::Create(policy_, injects_, options);
  if (!engine.ok()) return engine.status();

  HarnessResult result;
  ReportOptions report;
  report.quiet = true;
  report.decode_all = true;
  Reporter reporter(report, nullptr, nullptr);
  reporter.SetObserver(
      [&result](const Event& e) { result.events.push_back(e); });
  std::vector<CallHandler> handlers;
  for (const auto& h : handlers_) {
    const Handler& user = h.second;
    handlers.push_back([&user](const SyscallStop& stop, const Tracee& tracee) {
      Call call(tracee.tgid, stop.tid, stop.abi, stop.nr, stop.args, stop.ip);
      return user(call).get();
    });
  }
  SyscallAccess access(probe->features);
  absl::optional<::sysgate::FakeTime> fake;
  if (fake_time_) {
    fake.emplace(*fake_time_, access);
    for (size_t i = 0; i < ::sysgate::FakeTime::Calls().size(); ++i) {
      handlers.push_back([&fake](const SyscallStop& stop, const Tracee&) {
        return fake->Decide(stop);
      });
    }
  }
  Supervisor supervisor(**engine, access, reporter);
  supervisor.SetHandlers(&handlers);
  if (hide_vdso_) {
    supervisor.SetExecHook([&access](pid_t tid) {
      return ::sysgate::FakeTime::HideVdso(tid, access);
    });
  }
  absl::StatusOr<RunResult> run = start(supervisor);
  if (!run.ok()) {
    if (absl::IsFailedPrecondition(run.status())) {
      return absl::FailedPreconditionError(supervisor.exec_failure().message);
    }
    return run.status();
  }
  result.exited = run->status.kind() == WaitStatus::Kind::kExited;
  result.exit_code = result.exited ? run->status.exit_code() : 0;
  result.signal = result.exited ? 0 : run->status.signal();
  return result;
}

absl::StatusOr<HarnessResult> Harness::Run(
    const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  return RunWith([&](Supervisor& s) { return s.Run(argv, env); });
}

absl::StatusOr<HarnessResult> Harness::RunFunction(std::function<int()> fn) {
  return RunWith([&](Supervisor& s) { return s.RunFunction(fn); });
}

}  // namespace sysgate
