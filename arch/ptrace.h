// The one place sysgate calls ptrace(2). Each request becomes an
// absl::Status; ESRCH (the tracee died or was killed between its stop and
// our request) is kNotFound and tested with TraceeGone(), because it is an
// expected outcome for a tracer, not a failure (ptrace(2), "Death under
// ptrace").
#ifndef SYSGATE_ARCH_PTRACE_H_
#define SYSGATE_ARCH_PTRACE_H_

#include <signal.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sysgate::ptrace {

// Request numbers newer than the installed (6.1) headers.
inline constexpr int kSetSyscallInfo = 0x4212;  // Linux 6.16.

bool TraceeGone(const absl::Status& status);

absl::Status Seize(pid_t pid, unsigned long options);
absl::Status Cont(pid_t tid, int signal);
absl::Status Syscall(pid_t tid, int signal);  // Resume, stop at syscall exit.
absl::Status Listen(pid_t tid);
// Stops a seized tracee at a PTRACE_EVENT_STOP (kernel_probe's helper).
absl::Status Interrupt(pid_t tid);
absl::StatusOr<unsigned long> GetEventMsg(pid_t tid);
absl::StatusOr<siginfo_t> GetSigInfo(pid_t tid);
// At a signal-delivery stop: the siginfo the handler will be given.
absl::Status SetSigInfo(pid_t tid, const siginfo_t& info);
// Returns the size the kernel reports (it may exceed `size`).
absl::StatusOr<size_t> GetSyscallInfo(pid_t tid, void* buf, size_t size);
absl::Status SetSyscallInfo(pid_t tid, const void* buf, size_t size);
absl::Status PokeUser(pid_t tid, size_t offset, uint64_t value);
// Returns the number of bytes the kernel filled.
absl::StatusOr<size_t> GetRegset(pid_t tid, int note_type, void* buf,
                                 size_t size);
absl::Status SetRegset(pid_t tid, int note_type, const void* buf, size_t size);
absl::StatusOr<uint64_t> PeekData(pid_t tid, uint64_t addr);
absl::Status PokeData(pid_t tid, uint64_t addr, uint64_t word);

}  // namespace sysgate::ptrace

#endif  // SYSGATE_ARCH_PTRACE_H_
