// Reading a stopped tracee's memory: process_vm_readv (one call per page
// span, Linux 3.2), falling back to PTRACE_PEEKDATA where the pages are not
// readable to it (e.g. PROT_NONE or execute-only mappings).
#ifndef SYSGATE_ARCH_TRACEE_MEMORY_H_
#define SYSGATE_ARCH_TRACEE_MEMORY_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
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

// A word of the tracee's ABI (`bytes`: 4 or 8) in a buffer read from its
// memory: zero-extended (pointers, sizes), or sign-extended (time_t, long).
inline uint64_t WordAt(const void* at, size_t bytes) {
  if (bytes == 4) {
    uint32_t w;
    std::memcpy(&w, at, 4);
    return w;
  }
  uint64_t w;
  std::memcpy(&w, at, 8);
  return w;
}
inline int64_t SignedWordAt(const void* at, size_t bytes) {
  uint64_t w = WordAt(at, bytes);
  return bytes == 4 ? static_cast<int32_t>(w) : static_cast<int64_t>(w);
}

}  // namespace sysgate

#endif  // SYSGATE_ARCH_TRACEE_MEMORY_H_
