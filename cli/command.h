// sysgate's command line: a table of subcommands (run, learn, check,
// probe), each in its own file with its options and help, parsed by one
// flag parser (flags.h), all consumers of the Session.
//
// Exit statuses: the program's own (128 + N when killed by signal N);
// 127 when it is not found, 126 when it cannot be executed; 125 for
// sysgate's own failures (bad usage, a policy error, a kernel without
// what sysgate needs).
#ifndef SYSGATE_CLI_COMMAND_H_
#define SYSGATE_CLI_COMMAND_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "cli/flags.h"

namespace sysgate::cli {

inline constexpr int kExitSysgateFailure = 125;
inline constexpr char kVersion[] = "0.1.0";

struct Command {
  absl::string_view name;
  absl::string_view synopsis;  // Its line of `sysgate --help`.
  absl::string_view help;      // `sysgate NAME --help`.
  absl::Span<const FlagSpec> flags;
  bool program_follows;  // Options end at the first non-option.
  int (*run)(const ParsedFlags& flags);
};

extern const Command kRunCommand;
extern const Command kLearnCommand;
extern const Command kCheckCommand;
extern const Command kProbeCommand;

// "sysgate: MESSAGE" on stderr; returns the status of sysgate's own
// failures.
int Fail(absl::string_view message);
// The same for a command's usage error, with its help.
int UsageFailure(const Command& command, absl::string_view message);
// A policy error already reads "FILE:LINE:COL: error: ...": as it is.
int PolicyFailure(const absl::Status& status);

int Main(int argc, char** argv);

}  // namespace sysgate::cli

#endif  // SYSGATE_CLI_COMMAND_H_
