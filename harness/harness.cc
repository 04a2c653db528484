#include "harness/harness.h"

#include <signal.h>

#include "arch/syscall_stop.h"
#include "arch/tracee_memory.h"
#include "filters/parser.h"
#include "supervisor/report/call_format.h"
#include "supervisor/session/session.h"

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
  HarnessResult result;
  SessionOptions options;
  options.policy = policy_;
  options.injects = injects_;
  for (const auto& [name, handler] : handlers_) {
    const Handler& user = handler;
    options.handlers.push_back(
        {name, [&user](const SyscallStop& stop, pid_t pid) {
           Call call(pid, stop.tid, stop.abi, stop.nr, stop.args, stop.ip);
           return user(call);
         }});
  }
  options.report.quiet = true;
  options.report.decode_all = true;
  options.observer = [&result](const Event& e) { result.events.push_back(e); };
  options.fake_time = fake_time_;
  options.hide_vdso = hide_vdso_;
  absl::StatusOr<std::unique_ptr<Session>> session =
      Session::Create(std::move(options));
  if (!session.ok()) return session.status();
  absl::StatusOr<RunOutcome> run = start(**session);
  if (!run.ok()) return run.status();
  if (run->kind == RunOutcome::Kind::kNotStarted)
    return absl::FailedPreconditionError(run->message);
  result.exited = run->status.kind() == WaitStatus::Kind::kExited;
  result.exit_code = result.exited ? run->status.exit_code() : 0;
  result.signal = result.exited ? 0 : run->status.signal();
  return result;
}

absl::StatusOr<HarnessResult> Harness::Run(
    const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  return RunWith([&](Session& s) { return s.Run(argv, env); });
}

absl::StatusOr<HarnessResult> Harness::RunFunction(std::function<int()> fn) {
  return RunWith([&](Session& s) { return s.RunFunction(fn); });
}

}  // namespace sysgate
