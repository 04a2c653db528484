// The stack of a stopped tracee thread, unwound remotely with libunwind's
// ptrace unwinder and symbolized: module and offset from /proc/PID/maps,
// the function from the module's symbol table (demangled), file:line from
// its debug info when it has any (addr2line). Each step degrades instead of
// failing: no symbols gives module+offset, no mapping the raw address.
#ifndef SYSGATE_SUPERVISOR_REPORT_STACK_TRACE_H_
#define SYSGATE_SUPERVISOR_REPORT_STACK_TRACE_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "arch/abi.h"

namespace sysgate {

struct StackFrame {
  uint64_t ip = 0;
  std::string module;  // Base name of the mapped file; empty if none.
  std::string module_path;
  uint64_t module_offset = 0;  // ip relative to the module's load base.
  std::string function;        // Demangled; empty if unknown.
  uint64_t function_offset = 0;
  std::string file;  // From debug info; empty if none.
  int line = 0;
};

// `ip` is the stop's instruction pointer, used as the only frame when the
// ABI cannot be unwound from this host (i386 tracees under an x86-64
// libunwind).
std::vector<StackFrame> UnwindStack(pid_t tid, AbiId abi, uint64_t ip,
                                    size_t max_frames = 32);

// "#0 0x7f12... in open64+0x5b (libc.so.6+0xf1a4b) at file.c:42"
std::string FormatFrame(size_t index, const StackFrame& frame);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_REPORT_STACK_TRACE_H_
