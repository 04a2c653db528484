// Policy text -> Policy. Errors are InvalidArgument statuses whose message
// is "FILE:LINE:COL: error: ..." (what the CLI prints before exiting 125).
//
// Grammar (one statement per line; a line continues while a parenthesis is
// open or after `,`, `&&`, `||`, `&`, `|`, `!`, a comparison, or `if`):
//   statement := 'default' ACTION
//              | ACTION NAME (',' NAME)* ['if' cond]
//              | 'include' STRING
//              | 'broker' (read | write | exec) PATTERN (',' PATTERN)*
//              | 'broker' 'default' errno '(' (ENAME | N) ')'
//   PATTERN   := an absolute path or glob, bare or quoted
//   ACTION    := allow | audit | log | kill | kill-process | kill-thread
//              | trap | errno '(' (ENAME | N) ')' | emulate '(' ['-'] (N |
//              ENAME) ')'
//   cond      := and ('||' and)*
//   and       := unary ('&&' unary)*
//   unary     := '!' unary | '(' cond ')' | compare
//   compare   := operand OP value        OP := == != < <= > >=
//   operand   := PARAM | '(' PARAM '&' value ')'   PARAM := argN | a parameter
//   name value     := term ('|' term)*        term := ['-'] NUMBER | CONSTANT
#ifndef SYSGATE_FILTERS_PARSER_H_
#define SYSGATE_FILTERS_PARSER_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "filters/policy.h"

namespace sysgate {

// Reads an included file; the path is already relative to the includer.
using FileLoader =
    std::function<absl::StatusOr<std::string>(const std::string& path)>;
FileLoader DiskFileLoader();

absl::StatusOr<Policy> ParsePolicy(absl::string_view text,
                                   absl::string_view file_name,
                                   const FileLoader& loader = DiskFileLoader());
absl::StatusOr<Policy> ParsePolicyFile(
    const std::string& path, const FileLoader& loader = DiskFileLoader());

// "did you mean" for an unknown syscall name; empty if nothing is close.
std::string SuggestSyscall(absl::string_view name);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_PARSER_H_
