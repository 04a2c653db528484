// A stopped call written the way strace would: name(arg, ...), with paths
// read from the tracee, flags symbolic and fds as numbers.
#ifndef SYSGATE_SUPERVISOR_REPORT_CALL_FORMAT_H_
#define SYSGATE_SUPERVISOR_REPORT_CALL_FORMAT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "arch/syscall_stop.h"

namespace sysgate {

std::string FormatCall(const SyscallStop& stop);

// The pieces, for tests: one argument by its kind.
std::string FormatArg(const SyscallStop& stop, const Param& param,
                      uint64_t value);
// Flags and symbolic values as the ABI's kernel defines them.
std::string FormatFlags(uint64_t value, ArgKind kind, AbiId abi);

// Bytes a program chose (a path, a name), escaped as strace escapes them:
// `\"`, `\\`, `\n`, `\t`, `\r`, `\v`, `\f` and octal for the rest of
// what is not printable ASCII. No report line can then hold a newline or
// terminal control sequence the program wrote. QuoteString adds quotes.
std::string EscapeString(absl::string_view s);
std::string QuoteString(absl::string_view s);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_REPORT_CALL_FORMAT_H_
