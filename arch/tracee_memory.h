// Reading a stopped tracee's memory: process_vm_readv (one call per page
// span, Linux 3.2), falling back to PTRACE_PEEKDATA where the pages are not
// readable to it (e.g. PROT_NONE or execute-only mappings).
#ifndef SYSGATE_ARCH_TRACEE_MEMORY_H_
#define SYSGATE_ARCH_TRACEE_MEMORY_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace sysgate {

struct TraceeString {
  std::string value;
  bool truncated = false;  // No NUL within `max` bytes.
};

absl::StatusOr<TraceeString> ReadTraceeString(pid_t tid, uint64_t addr,
                                              size_t max);
absl::Status ReadTraceeMemory(pid_t tid, uint64_t addr, void* out, size_t len);
// Writes a call's result into the caller's buffer as the kernel would
// (process_vm_writev, which honours page protections): a buffer the caller
// may not write (read-only, code) is an error, which the call reports as
// EFAULT. What sysgate writes on the program's behalf goes through this,
// so no answer of sysgate's can write where the program could not.
absl::Status WriteCallResult(pid_t tid, uint64_t addr, const void* data,
                             size_t len);
// Writes as a debugger does: through read-only pages too (ptrace POKEDATA,
// at a ptrace stop), for the library's handlers (Call::Write) and sysgate's
// own changes to a new image (fake time's aux vector).
absl::Status WriteTraceeMemory(pid_t tid, uint64_t addr, const void* data,
                               size_t len);

}  // namespace sysgate

#endif  // SYSGATE_ARCH_TRACEE_MEMORY_H_
