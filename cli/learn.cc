// `sysgate learn`: the policy a run used.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "cli/supervise.h"
#include "supervisor/learn/learner.h"
#include "supervisor/session/policy_files.h"

namespace sysgate::cli {
namespace {

constexpr FlagSpec kFlags[] = {
    {"--output", FlagSpec::Kind::kValue}, {"--format", FlagSpec::Kind::kValue},
    {"--args", FlagSpec::Kind::kSwitch},  {"--merge", FlagSpec::Kind::kValue},
    {"--log", FlagSpec::Kind::kValue},
};

constexpr char kHelp[] =
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

int Write(const std::string& text, const std::string& output) {
  if (output.empty()) {
    absl::PrintF("%s", text);
    return 0;
  }
  std::ofstream out(output);
  out << text;
  if (!out) return Fail(absl::StrCat("cannot write '", output, "'"));
  return 0;
}

int Learn(const ParsedFlags& flags) {
  std::string format = flags.Value("--format", "policy");
  if (format != "policy" && format != "oci") {
    return Fail(
        absl::StrCat("learn: --format is policy or oci, not '", format, "'"));
  }
  if (flags.rest().empty())
    return UsageFailure(kLearnCommand, "no PROGRAM given");
  LearnOptions learn;
  learn.args = flags.Has("--args");
  Learner learner(learn);
  std::string merge = flags.Value("--merge");
  if (!merge.empty()) {
    absl::StatusOr<Policy> earlier = ParsePolicyOrProfile(merge);
    if (!earlier.ok()) return PolicyFailure(earlier.status());
    learner.Merge(*earlier, merge);
  }
  SessionOptions options;
  options.policy = Learner::LearningPolicy();
  options.observer = [&learner](const Event& e) { learner.Observe(e); };
  Supervised run =
      Supervise(std::move(options), flags.Value("--log"), flags.rest());
  if (!run.ran) return run.exit_status;
  std::string text =
      format == "oci" ? learner.ToOciProfile()
                      : learner.ToPolicyText(absl::StrJoin(flags.rest(), " "));
  int written = Write(text, flags.Value("--output"));
  return written != 0 ? written : run.exit_status;
}

}  // namespace

const Command kLearnCommand = {
    "learn",
    "learn [--output=FILE] [--format=policy|oci] [--args] [--merge=FILE] "
    "[--] PROGRAM [ARG...]",
    kHelp,
    kFlags,
    /*program_follows=*/true,
    Learn,
};

}  // namespace sysgate::cli
