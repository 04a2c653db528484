// The one command-line parser every subcommand uses. Options are
// `--name=value`, `--name value`, or a switch `--name` (some with a short
// alias, `-q`); `--help`/`-h` is every command's. Options end at `--`, or,
// for commands that run a program, at the first argument that is not one.
#ifndef SYSGATE_CLI_FLAGS_H_
#define SYSGATE_CLI_FLAGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sysgate::cli {

struct FlagSpec {
  enum class Kind {
    kSwitch,    // --quiet
    kValue,     // --policy=FILE (the last one given counts)
    kRepeated,  // --inject=SPEC, any number, in order
  };
  absl::string_view name;  // "--policy"
  Kind kind = Kind::kSwitch;
  absl::string_view alias;  // "-q", or empty
};

class ParsedFlags {
 public:
  bool Has(absl::string_view name) const {
    return values_.count(std::string(name)) > 0;
  }
  // The value of a kValue option, or `fallback`.
  std::string Value(absl::string_view name,
                    absl::string_view fallback = "") const;
  // Every value of a kRepeated option, in order.
  std::vector<std::string> Values(absl::string_view name) const;
  bool help() const { return help_; }
  // What follows the options: PROGRAM [ARG...], or a command's operands.
  const std::vector<std::string>& rest() const { return rest_; }

 private:
  friend absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<std::string>&,
                                                absl::Span<const FlagSpec>,
                                                bool);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> rest_;
  bool help_ = false;
};

// InvalidArgument "unknown option '--x'" or "option '--x' needs a value".
// `program_follows`: options end at the first non-option (run, learn);
// otherwise options and operands mix (check).
absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                                       absl::Span<const FlagSpec> specs,
                                       bool program_follows);

}  // namespace sysgate::cli

#endif  // SYSGATE_CLI_FLAGS_H_
