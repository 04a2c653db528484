// A classic BPF interpreter with the kernel's seccomp semantics, used by
// tests to prove compiled programs agree with the policy they came from.
#ifndef SYSGATE_FILTERS_INTERPRETER_H_
#define SYSGATE_FILTERS_INTERPRETER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "filters/bpf.h"

namespace sysgate {

struct InterpreterResult {
  uint32_t ret = 0;
  int instructions = 0;      // Executed, to check paths stay short.
  bool loaded_args = false;  // Whether any argument or ip word was read.
};

// Runs a validated program; errors only on a malformed one.
absl::StatusOr<InterpreterResult> RunFilter(const BpfProgram& program,
                                            const seccomp_data& data);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_INTERPRETER_H_
