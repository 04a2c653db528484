// A stopped call written the way strace would: name(arg, ...), with paths
// read from the tracee, flags symbolic and fds as numbers.
#ifndef SYSGATE_SUPERVISOR_REPORT_CALL_FORMAT_H_
#define SYSGATE_SUPERVISOR_REPORT_CALL_FORMAT_H_

#include <string>

#include "arch/syscall_stop.h"

namespace sysgate {

std::string FormatCall(const SyscallStop& stop);

// The pieces, for tests: one argument by its kind.
std::string FormatArg(const SyscallStop& stop, const Param& param,
                      uint64_t value);
// Flags and symbolic values as the ABI's kernel defines them.
std::string FormatFlags(uint64_t value, ArgKind kind, AbiId abi);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_REPORT_CALL_FORMAT_H_
