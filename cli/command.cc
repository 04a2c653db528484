#include "cli/command.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sysgate::cli {
namespace {

const Command* const kCommands[] = {&kRunCommand, &kLearnCommand,
                                    &kCheckCommand, &kProbeCommand};

std::string Usage() {
  std::string usage;
  for (const Command* c : kCommands) {
    absl::StrAppend(&usage, usage.empty() ? "usage: " : "       ", "sysgate ",
                    c->synopsis, "\n");
  }
  return absl::StrCat(usage, "       sysgate --version | --help\n");
}

}  // namespace

int Fail(absl::string_view message) {
  absl::FPrintF(stderr, "sysgate: %s\n", message);
  return kExitSysgateFailure;
}

int UsageFailure(const Command& command, absl::string_view message) {
  return Fail(absl::StrCat(command.name, ": ", message, "\n", command.help));
}

int PolicyFailure(const absl::Status& status) {
  absl::FPrintF(stderr, "%s\n", status.message());
  return kExitSysgateFailure;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Fail(absl::StrCat("no command\n", Usage()));
  std::string name = args[0];
  args.erase(args.begin());
  if (name == "--version") {
    absl::PrintF("sysgate %s\n", kVersion);
    return 0;
  }
  if (name == "--help" || name == "-h" || name == "help") {
    absl::PrintF("%s", Usage());
    return 0;
  }
  for (const Command* c : kCommands) {
    if (c->name != name) continue;
    absl::StatusOr<ParsedFlags> flags =
        ParseFlags(args, c->flags, c->program_follows);
    if (!flags.ok()) return UsageFailure(*c, flags.status().message());
    if (flags->help()) {
      absl::PrintF("%s", c->help);
      return 0;
    }
    return c->run(*flags);
  }
  return Fail(absl::StrCat("unknown command '", name, "'\n", Usage()));
}

}  // namespace sysgate::cli
