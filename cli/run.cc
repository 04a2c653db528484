// `sysgate run`: a program under a policy.
#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/supervise.h"
#include "supervisor/session/policy_files.h"

namespace sysgate::cli {
namespace {

constexpr FlagSpec kFlags[] = {
    {"--policy", FlagSpec::Kind::kValue},
    {"--inject", FlagSpec::Kind::kRepeated},
    {"--log", FlagSpec::Kind::kValue},
    {"--quiet", FlagSpec::Kind::kSwitch, "-q"},
    {"--stack", FlagSpec::Kind::kSwitch},
    {"--fake-time", FlagSpec::Kind::kValue},
    {"--landlock", FlagSpec::Kind::kValue},
};

constexpr char kHelp[] =
    "usage: sysgate run [OPTIONS] [--] PROGRAM [ARG...]\n"
    "Runs PROGRAM under a seccomp filter and serves the calls it traces.\n\n"
    "  --policy=FILE    the policy (default: the built-in default policy)\n"
    "  --inject=SPEC    SET:error=E|retval=N|signal=S|syscall=NAME|"
    "delay_enter=T|delay_exit=T[:when=EXPR],\n"
    "                   as strace -e inject (T: microseconds, or with s, ms, "
    "us, ns)\n"
    "  --log=FILE       write every event as JSON Lines to FILE\n"
    "  --quiet          no line on stderr for denied calls\n"
    "  --stack          add the stack (unwound, symbolized) to every denied "
    "call's report\n"
    "  --fake-time=T    CLOCK_REALTIME starts at T (@SECONDS or RFC 3339) "
    "and runs at real speed\n"
    "  --landlock=MODE  under broker rules: auto (default: Landlock behind "
    "the broker, and alone\n"
    "                   on the calls it confines in a --quiet run whose "
    "grants it expresses\n"
    "                   exactly), strict (behind the broker only), off\n"
    "The exit status is PROGRAM's (128+N if killed by signal N); 127: not "
    "found; 126: not executable;\n"
    "125: sysgate itself failed.\n";

int Run(const ParsedFlags& flags) {
  SessionOptions options;
  options.report.quiet = flags.Has("--quiet");
  options.report.stack_traces = flags.Has("--stack");
  if (flags.Has("--fake-time")) {
    absl::StatusOr<absl::Time> start =
        FakeTime::Parse(flags.Value("--fake-time"));
    if (!start.ok()) return Fail(start.status().message());
    options.fake_time = *start;
  }
  if (flags.Has("--landlock")) {
    const std::string& mode = flags.Value("--landlock");
    if (mode == "auto") {
      options.landlock = LandlockUse::kAuto;
    } else if (mode == "strict") {
      options.landlock = LandlockUse::kBehindBroker;
    } else if (mode == "off") {
      options.landlock = LandlockUse::kOff;
    } else {
      return UsageFailure(
          kRunCommand,
          absl::StrCat("--landlock=", mode, ": expected auto, strict or off"));
    }
  }
  for (const std::string& text : flags.Values("--inject")) {
    absl::StatusOr<InjectSpec> spec = ParseInjectSpec(text);
    if (!spec.ok()) return Fail(spec.status().message());
    options.injects.push_back(*spec);
  }
  if (flags.rest().empty())
    return UsageFailure(kRunCommand, "no PROGRAM given");
  absl::StatusOr<LoadedPolicy> loaded = LoadPolicy(flags.Value("--policy"));
  if (!loaded.ok()) return PolicyFailure(loaded.status());
  options.policy = std::move(loaded->policy);
  options.fallback_default = loaded->fallback_default;
  return Supervise(std::move(options), flags.Value("--log"), flags.rest())
      .exit_status;
}

}  // namespace

const Command kRunCommand = {
    "run",
    "run [--policy=FILE] [--inject=SPEC]... [--log=FILE] [--quiet] [--stack] "
    "[--fake-time=T] [--landlock=MODE] [--] PROGRAM [ARG...]",
    kHelp,
    kFlags,
    /*program_follows=*/true,
    Run,
};

}  // namespace sysgate::cli
