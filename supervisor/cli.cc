#include "supervisor/cli.h"

#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "filters/disassembler.h"
#include "filters/oci.h"
#include "filters/parser.h"
#include "supervisor/default_policy.h"
#include "supervisor/fake_time.h"
#include "supervisor/inject.h"
#include "supervisor/kernel_probe.h"
#include "supervisor/learner.h"
#include "supervisor/policy_engine.h"
#include "supervisor/report.h"
#include "supervisor/signal_forwarder.h"
#include "supervisor/supervisor.h"

namespace sysgate {
namespace {

constexpr char kUsage[] =
    "usage: sysgate run [--policy=FILE] [--inject=SPEC]... [--log=FILE] "
    "[--quiet] [--stack] [--] PROGRAM [ARG...]\n"
    "       sysgate learn [--output=FILE] [--format=policy|oci] [--args] "
    "[--merge=FILE] [--] PROGRAM [ARG...]\n"
    "       sysgate check [--dump] [--machine=x86_64|arm64|all] POLICY\n"
    "       sysgate probe [--json]\n"
    "       sysgate --version | --help\n";

constexpr char kRunHelp[] =
    "usage: sysgate run [OPTIONS] [--] PROGRAM [ARG...]\n"
    "Runs PROGRAM under a seccomp filter and serves the calls it traces.\n\n"
    "  --policy=FILE    the policy (default: the built-in default policy)\n"
    "  --inject=SPEC    "
    "SET:error=E|retval=N|signal=S|syscall=NAME[:when=EXPR], as strace -e "
    "inject\n"
    "  --log=FILE       write every event as JSON Lines to FILE\n"
    "  --quiet          no line on stderr for denied calls\n"
    "  --stack          add the stack (unwound, symbolized) to every denied "
    "call's report\n"
    "  --fake-time=T    CLOCK_REALTIME starts at T (@SECONDS or RFC 3339) "
    "and runs at real speed\n"
    "The exit status is PROGRAM's (128+N if killed by signal N); 127: not "
    "found; 126: not executable;\n"
    "125: sysgate itself failed.\n";

constexpr char kLearnHelp[] =
    "usage: sysgate learn [--output=FILE] [--format=policy|oci] [--args] "
    "[--merge=FILE] [--log=FILE] [--] PROGRAM [ARG...]\n"
    "Runs PROGRAM with every call allowed but seen, then writes the policy "
    "that allows\n"
    "exactly what it used (default errno(EPERM)); to stdout without "
    "--output.\n\n"
    "  --format=F       policy (sysgate's language) or oci (Docker/Podman "
    "seccomp JSON)\n"
    "  --args           also learn stable argument values (fcntl commands, "
    "socket families,\n"
    "                   open access modes, prctl options, ioctl requests)\n"
    "  --merge=FILE     add to an earlier learned policy (either format)\n"
    "The exit status is PROGRAM's.\n";

constexpr char kCheckHelp[] =
    "usage: sysgate check [--dump] [--machine=x86_64|arm64|all] POLICY\n"
    "Validates POLICY, compiles it for each machine's ABIs and prints the "
    "filter sizes.\n\n"
    "  --dump           also print the BPF program, disassembled\n"
    "  --machine=M      x86_64 (x86-64 + i386), arm64, or all (default)\n";

constexpr char kProbeHelp[] =
    "usage: sysgate probe [--json]\n"
    "Prints what this kernel offers: seccomp actions and flags, logged "
    "actions,\n"
    "PTRACE_GET/SET_SYSCALL_INFO (and so which rewrite path is used), vsyscall "
    "mode, ABIs.\n";

int Fail(const std::string& message) {
  absl::FPrintF(stderr, "sysgate: %s\n", message);
  return kExitSysgateFailure;
}

// A policy error already reads "FILE:LINE:COL: error: ...".
int PolicyFailure(const absl::Status& s) {
  absl::FPrintF(stderr, "%s\n", s.message());
  return kExitSysgateFailure;
}

// --name=value or --name value.
bool TakeValue(const std::vector<std::string>& args, size_t& i,
               const std::string& name, std::string* value) {
  const std::string& a = args[i];
  if (absl::StartsWith(a, name + "=")) {
    *value = a.substr(name.size() + 1);
    return true;
  }
  if (a == name && i + 1 < args.size()) {
    *value = args[++i];
    return true;
  }
  return false;
}

struct LoadedPolicy {
  Policy policy;
  Action fallback_default;
};

// A sysgate policy, or an OCI (Docker/Podman) seccomp profile: told apart
// by content, not by name.
absl::StatusOr<Policy> ParsePolicyOrProfile(const std::string& path) {
  FileLoader loader = DiskFileLoader();
  absl::StatusOr<std::string> text = loader(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": error: cannot read policy: ", text.status().message()));
  }
  if (LooksLikeOciProfile(*text)) {
    return ParseOciProfile(*text, path, HostOciContext());
  }
  return ParsePolicy(*text, path, loader);
}

absl::StatusOr<LoadedPolicy> LoadPolicy(const std::string& path) {
  absl::StatusOr<Policy> builtin =
      ParsePolicy(kDefaultPolicyText, kDefaultPolicyName);
  if (!builtin.ok()) return builtin.status();
  LoadedPolicy loaded{*builtin, builtin->default_action.value_or(Action{})};
  if (path.empty()) return loaded;
  absl::StatusOr<Policy> user = ParsePolicyOrProfile(path);
  if (!user.ok()) return user.status();
  loaded.policy = *user;
  return loaded;
}

bool Uses(const Policy& p, Action::Kind kind) {
  if (p.default_action && p.default_action->kind == kind) return true;
  for (const Rule& r : p.rules) {
    if (r.action.kind == kind) return true;
  }
  return false;
}

// What `run` and `learn` share: a policy to enforce, how to report, the
// program.
struct Session {
  LoadedPolicy policy;
  std::vector<InjectSpec> injects;
  ReportOptions report;
  std::string log_path;
  std::vector<std::string> argv;
  std::function<void(const Event&)> observer;
  absl::optional<absl::Time> fake_time;
};

// Probes the kernel, compiles, runs the program to its end. Returns the
// exit status sysgate should have; `*ran` says whether the program ran (as
// opposed to sysgate failing, or the program not starting).
int Supervise(const Session& session, bool* ran = nullptr) {
  const Policy& policy = session.policy.policy;
  absl::StatusOr<KernelProbe> probe = ProbeKernel(/*full=*/false);
  if (!probe.ok()) return Fail(std::string(probe.status().message()));
  for (const std::string& w :
       PolicyWarnings(*probe, Uses(policy, Action::Kind::kAudit),
                      Uses(policy, Action::Kind::kKillProcess))) {
    absl::FPrintF(stderr, "sysgate: warning: %s\n", w);
  }
  std::unique_ptr<FILE, int (*)(FILE*)> log(nullptr, fclose);
  if (!session.log_path.empty()) {
    auto opened = Reporter::OpenLog(session.log_path);
    if (!opened.ok()) return Fail(std::string(opened.status().message()));
    log = std::move(*opened);
  }
  EngineOptions options;
  options.routing.trace_denials = !session.report.quiet || log != nullptr;
  options.actions = probe->actions;
  options.fallback_default = session.policy.fallback_default;
  if (session.fake_time) options.handled_syscalls = FakeTime::Calls();
  options.broker_rules = policy.broker_rules;
  options.broker_default_errno = policy.broker_default_errno.value_or(EACCES);
  absl::StatusOr<std::unique_ptr<PolicyEngine>> engine =
      PolicyEngine::Create(policy, session.injects, options);
  if (!engine.ok()) return PolicyFailure(engine.status());

  Reporter reporter(session.report, stderr, log.get());
  if (session.observer) reporter.SetObserver(session.observer);
  SyscallAccess access(probe->features);
  Supervisor supervisor(**engine, access, reporter);
  supervisor.ProtectFromProgram();
  absl::optional<FakeTime> fake;
  std::vector<CallHandler> handlers;
  if (session.fake_time) {
    fake.emplace(*session.fake_time, access);
    for (size_t i = 0; i < options.handled_syscalls.size(); ++i) {
      handlers.push_back([&fake](const SyscallStop& stop, const Tracee&) {
        return fake->Decide(stop);
      });
    }
    supervisor.SetHandlers(&handlers);
    supervisor.SetExecHook([&fake](pid_t tid) { return fake->OnExec(tid); });
  }
  SignalForwarder forwarder(&supervisor.started_pid());
  absl::StatusOr<RunResult> result = supervisor.Run(session.argv);
  if (!result.ok()) {
    if (absl::IsFailedPrecondition(result.status())) {
      absl::FPrintF(stderr, "sysgate: %s\n", supervisor.exec_failure().message);
      return supervisor.exec_failure().exit_status;
    }
    return Fail(std::string(result.status().message()));
  }
  if (ran) *ran = true;
  return result->ShellStatus();
}

int Run(const std::vector<std::string>& args) {
  Session session;
  std::string policy_path, value;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (!absl::StartsWith(a, "-")) break;
    if (a == "--help" || a == "-h") {
      absl::FPrintF(stdout, "%s", kRunHelp);
      return 0;
    } else if (a == "--quiet" || a == "-q") {
      session.report.quiet = true;
    } else if (a == "--stack") {
      session.report.stack_traces = true;
    } else if (TakeValue(args, i, "--policy", &policy_path) ||
               TakeValue(args, i, "--log", &session.log_path)) {
    } else if (TakeValue(args, i, "--fake-time", &value)) {
      absl::StatusOr<absl::Time> start = FakeTime::Parse(value);
      if (!start.ok()) return Fail(std::string(start.status().message()));
      session.fake_time = *start;
    } else if (TakeValue(args, i, "--inject", &value)) {
      absl::StatusOr<InjectSpec> spec = ParseInjectSpec(value);
      if (!spec.ok()) return Fail(std::string(spec.status().message()));
      session.injects.push_back(*spec);
    } else {
      return Fail(absl::StrCat("run: unknown option '", a, "'\n", kRunHelp));
    }
  }
  session.argv.assign(args.begin() + i, args.end());
  if (session.argv.empty()) {
    return Fail(absl::StrCat("run: no PROGRAM given\n", kRunHelp));
  }
  absl::StatusOr<LoadedPolicy> loaded = LoadPolicy(policy_path);
  if (!loaded.ok()) return PolicyFailure(loaded.status());
  session.policy = *loaded;
  return Supervise(session);
}

int Learn(const std::vector<std::string>& args) {
  Session session;
  std::string output, format = "policy", merge;
  LearnOptions learn;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (!absl::StartsWith(a, "-")) break;
    if (a == "--help" || a == "-h") {
      absl::FPrintF(stdout, "%s", kLearnHelp);
      return 0;
    } else if (a == "--args") {
      learn.args = true;
    } else if (TakeValue(args, i, "--output", &output) ||
               TakeValue(args, i, "--format", &format) ||
               TakeValue(args, i, "--merge", &merge) ||
               TakeValue(args, i, "--log", &session.log_path)) {
    } else {
      return Fail(
          absl::StrCat("learn: unknown option '", a, "'\n", kLearnHelp));
    }
  }
  if (format != "policy" && format != "oci") {
    return Fail(
        absl::StrCat("learn: --format is policy or oci, not '", format, "'"));
  }
  session.argv.assign(args.begin() + i, args.end());
  if (session.argv.empty()) {
    return Fail(absl::StrCat("learn: no PROGRAM given\n", kLearnHelp));
  }
  Learner learner(learn);
  if (!merge.empty()) {
    absl::StatusOr<Policy> earlier = ParsePolicyOrProfile(merge);
    if (!earlier.ok()) return PolicyFailure(earlier.status());
    learner.Merge(*earlier, merge);
  }
  session.policy.policy = Learner::LearningPolicy();
  session.observer = [&learner](const Event& e) { learner.Observe(e); };
  bool ran = false;
  int status = Supervise(session, &ran);
  if (!ran) return status;
  std::string text =
      format == "oci" ? learner.ToOciProfile()
                      : learner.ToPolicyText(absl::StrJoin(session.argv, " "));
  if (output.empty()) {
    absl::PrintF("%s", text);
  } else {
    std::ofstream out(output);
    out << text;
    if (!out) return Fail(absl::StrCat("cannot write '", output, "'"));
  }
  return status;
}

int Check(const std::vector<std::string>& args) {
  bool dump = false;
  std::string machine = "all", path, value;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      absl::FPrintF(stdout, "%s", kCheckHelp);
      return 0;
    } else if (a == "--dump") {
      dump = true;
    } else if (TakeValue(args, i, "--machine", &machine)) {
    } else if (absl::StartsWith(a, "-")) {
      return Fail(
          absl::StrCat("check: unknown option '", a, "'\n", kCheckHelp));
    } else if (path.empty()) {
      path = a;
    } else {
      return Fail(absl::StrCat("check: one POLICY only\n", kCheckHelp));
    }
  }
  if (path.empty())
    return Fail(absl::StrCat("check: no POLICY given\n", kCheckHelp));
  std::vector<std::string> machines =
      machine == "all" ? std::vector<std::string>{"x86_64", "arm64"}
                       : std::vector<std::string>{machine};
  absl::StatusOr<LoadedPolicy> loaded = LoadPolicy(path);
  if (!loaded.ok()) return PolicyFailure(loaded.status());
  for (const std::string& m : machines) {
    absl::optional<std::vector<AbiId>> abis = MachineAbis(m);
    if (!abis)
      return Fail(absl::StrCat("check: unknown machine '", m,
                               "' (x86_64, arm64 or all)"));
    EngineOptions options;
    options.abis = *abis;
    options.routing.trace_denials = true;
    options.fallback_default = loaded->fallback_default;
    absl::StatusOr<std::unique_ptr<PolicyEngine>> engine =
        PolicyEngine::Create(loaded->policy, {}, options);
    if (!engine.ok()) return PolicyFailure(engine.status());
    std::string names;
    for (AbiId abi : *abis)
      absl::StrAppend(&names, names.empty() ? "" : "+", GetAbi(abi).name());
    absl::PrintF("%s: %s: %d rules, %d BPF instructions (limit %d)\n", path,
                 names, loaded->policy.rules.size(), (*engine)->filter().size(),
                 kMaxInstructions);
    if (dump) absl::PrintF("%s", Disassemble((*engine)->filter()));
  }
  return 0;
}

int Probe(const std::vector<std::string>& args) {
  bool json = false;
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      absl::FPrintF(stdout, "%s", kProbeHelp);
      return 0;
    } else if (a == "--json") {
      json = true;
    } else {
      return Fail(
          absl::StrCat("probe: unknown option '", a, "'\n", kProbeHelp));
    }
  }
  absl::StatusOr<KernelProbe> probe = ProbeKernel(/*full=*/true);
  if (!probe.ok()) return Fail(std::string(probe.status().message()));
  absl::PrintF("%s", json ? probe->ToJson() + "\n" : probe->ToText());
  return 0;
}

}  // namespace

int CliMain(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Fail(absl::StrCat("no command\n", kUsage));
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "--version") {
    absl::PrintF("sysgate %s\n", kVersion);
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    absl::PrintF("%s", kUsage);
    return 0;
  }
  if (command == "run") return Run(args);
  if (command == "learn") return Learn(args);
  if (command == "check") return Check(args);
  if (command == "probe") return Probe(args);
  return Fail(absl::StrCat("unknown command '", command, "'\n", kUsage));
}

}  // namespace sysgate
