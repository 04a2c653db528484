#include "supervisor/session/session.h"

#include <errno.h>
#include <string.h>

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "supervisor/loop/event_loop.h"
#include "supervisor/notify/broker.h"
#include "supervisor/notify/handoffs.h"
#include "supervisor/notify/notify_server.h"
#include "supervisor/notify/notify_transport.h"
#include "supervisor/session/policy_warnings.h"

namespace sysgate {

Session::Session(SessionOptions options, KernelProbe probe)
    : options_(std::move(options)),
      probe_(std::move(probe)),
      access_(probe_.features) {}

absl::StatusOr<std::unique_ptr<Session>> Session::Create(
    SessionOptions options) {
  absl::StatusOr<KernelProbe> probe = ProbeKernel(/*full=*/false);
  if (!probe.ok()) return probe.status();
  std::unique_ptr<Session> s(
      new Session(std::move(options), std::move(*probe)));
  const SessionOptions& o = s->options_;
  s->warnings_ = PolicyWarnings(s->probe_, o.policy);
  if (!o.log_path.empty()) {
    char* resolved = realpath(o.log_path.c_str(), nullptr);
    std::vector<std::string> log_warnings =
        LogFileWarnings(o.policy, resolved ? resolved : o.log_path);
    free(resolved);
    s->warnings_.insert(s->warnings_.end(), log_warnings.begin(),
                        log_warnings.end());
  }
  bool broker = !o.policy.broker_rules.empty();
  EngineConfig config;
  config.policy = o.policy;
  config.fallback_default = o.fallback_default;
  config.injects = o.injects;
  config.handlers = o.handlers;
  config.report_denials = !o.report.quiet || o.log != nullptr || o.observer;
  int landlock_abi = s->probe_.landlock_abi;
  if (broker && o.landlock != LandlockUse::kOff) {
    if (landlock_abi > 0) {
      s->landlock_plan_ = PlanLandlock(o.policy, landlock_abi);
    } else {
      s->warnings_.push_back(
          "this kernel has no Landlock: the broker alone confines file "
          "access (sysgate probe)");
    }
  }
  if (s->landlock_plan_ && s->landlock_plan_->exact() &&
      o.landlock == LandlockUse::kAuto && !config.report_denials) {
    config.landlock_confined = CallsLandlockConfines(landlock_abi);
    s->landlock_alone_ = true;
  }
  config.actions = s->probe_.actions;
  config.own_processes = &s->own_processes_;
  if (o.fake_time) {
    s->fake_time_.emplace(*o.fake_time, s->access_);
    const FakeTime* fake = &*s->fake_time_;
    for (const std::string& call : FakeTime::Calls()) {
      config.handlers.push_back({call, [fake](const SyscallStop& stop, pid_t) {
                                   return fake->Decide(stop);
                                 }});
    }
  }
  absl::StatusOr<std::unique_ptr<DecisionEngine>> engine =
      DecisionEngine::Create(std::move(config));
  if (!engine.ok()) return engine.status();
  s->engine_ = std::move(*engine);
  return s;
}

absl::Status Session::HookExec(pid_t tid) const {
  if (fake_time_) return fake_time_->OnExec(tid);
  if (options_.hide_vdso) return FakeTime::HideVdso(tid, access_);
  return absl::OkStatus();
}

absl::StatusOr<RunOutcome> Session::Run(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env) {
  if (argv.empty()) return absl::InvalidArgumentError("no program to run");
  const char* path_env = getenv("PATH");
  absl::StatusOr<std::string> path =
      FindProgram(argv[0], path_env ? path_env : "");
  if (!path.ok()) {
    RunOutcome not_started;
    not_started.kind = RunOutcome::Kind::kNotStarted;
    not_started.exit_status = absl::IsNotFound(path.status()) ? 127 : 126;
    not_started.message = absl::StrCat("cannot execute '", argv[0],
                                       "': ", path.status().message());
    return not_started;
  }
  return Launch(
      [&](Launcher& launcher, const BpfProgram* notify) {
        return launcher.Start(*path, argv, env, engine_->filter(),
                              TraceOptions(), notify);
      },
      argv[0], {*path});
}

absl::StatusOr<RunOutcome> Session::RunFunction(
    const std::function<int()>& fn) {
  return Launch(
      [&](Launcher& launcher, const BpfProgram* notify) {
        return launcher.StartFunction(fn, engine_->filter(), TraceOptions(),
                                      notify);
      },
      "function", {});
}

absl::StatusOr<int> Session::LandlockRuleset(
    const std::vector<std::string>& executables) const {
  if (!landlock_plan_) return -1;
  LandlockPlan plan = *landlock_plan_;
  if (NeedsExecutables(plan)) {
    AddExecutables(executables, plan);
    AddExecutables(SystemElfInterpreters(), plan);
  }
  return landlock::CreateRuleset(plan.ruleset);
}

absl::StatusOr<RunOutcome> Session::Launch(
    const Start& start, const std::string& name,
    const std::vector<std::string>& executables) {
  Reporter reporter(options_.report, options_.report_lines, options_.log);
  if (options_.observer) reporter.SetObserver(options_.observer);
  absl::optional<Broker> broker;
  if (!engine_->policy().broker_rules.empty())
    broker.emplace(engine_->policy());
  Handoffs handoffs;
  NotifyTransport notify_transport(*engine_, broker ? &*broker : nullptr,
                                   handoffs, reporter);
  NotifyServer server(notify_transport);
  Launcher launcher;
  if (options_.protect_supervisor) launcher.MakeSupervisorUndumpable();
  if (probe_.features.notify_wait_killable)
    launcher.WaitKillablyForNotifications();
  absl::StatusOr<int> ruleset = LandlockRuleset(executables);
  if (!ruleset.ok()) return ruleset.status();
  if (*ruleset >= 0) {
    launcher.ConfineWithLandlock(*ruleset);
    // Exact only without them (LandlockPlan::reads_proc).
    if (landlock_alone_ && landlock_plan_->reads_proc)
      launcher.DropCapabilitiesReadingOtherProcesses();
    if (broker &&
        (landlock_plan_->ruleset.scoped & landlock::kScopeAbstractUnixSocket))
      broker->ScopeAbstractSockets();
  }
  const absl::optional<BpfProgram>& notify = engine_->notify_filter();
  absl::StatusOr<pid_t> pid = start(launcher, notify ? &*notify : nullptr);
  if (!pid.ok()) return pid.status();
  int listener = launcher.TakeListener();
  if (listener >= 0) {
    absl::Status served = server.Start(listener);
    if (!served.ok()) return served;
  }
  started_ = *pid;
  LoopOptions loop_options;
  loop_options.exec_hook = [this](pid_t tid) { return HookExec(tid); };
  loop_options.broker = broker ? &*broker : nullptr;
  loop_options.own_processes = &own_processes_;
  EventLoop loop(*engine_, access_, reporter, handoffs, loop_options);
  absl::StatusOr<WaitStatus> status = loop.Run(*pid);
  server.Stop();
  if (!status.ok()) return status.status();
  RunOutcome outcome;
  outcome.status = *status;
  outcome.exit_status = status->ShellStatus();
  if (loop.program_exec_seen()) return outcome;
  LaunchFailure failure = launcher.CollectFailure();
  if (failure.stage == LaunchStage::kNone) return outcome;
  outcome.kind = RunOutcome::Kind::kNotStarted;
  bool exec = failure.stage == LaunchStage::kExec;
  outcome.exit_status = exec && failure.error == ENOENT ? 127 : 126;
  const char* what =
      exec                                      ? "cannot execute"
      : failure.stage == LaunchStage::kLandlock ? "cannot confine with Landlock"
      : failure.stage == LaunchStage::kCapabilities
          ? "cannot drop the capabilities that reach sysgate from"
          : "cannot install the filter for";
  outcome.message =
      absl::StrCat(what, " '", name, "': ", strerror(failure.error));
  return outcome;
}

}  // namespace sysgate
