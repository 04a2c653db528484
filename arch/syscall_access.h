// Reads and changes the syscall a stopped thread is making, with the fewest
// ptrace requests the kernel allows. The kernel's capabilities are probed
// once (kernel_probe.h) and passed in; nothing here probes.
#ifndef SYSGATE_ARCH_SYSCALL_ACCESS_H_
#define SYSGATE_ARCH_SYSCALL_ACCESS_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "arch/abi.h"
#include "arch/kernel_features.h"
#include "arch/syscall_stop.h"

namespace sysgate {

// How "skip the call and return N" is written. bench/skip_methods measures
// all three; kSingleRegisters wins on x86-64 (two POKEUSERs), see README.
enum class SkipMethod {
  kSingleRegisters,       // Number then return register, one request each.
  kSyscallInfoAndReturn,  // SET_SYSCALL_INFO nr=-1 (which alone returns
                          // -ENOSYS), then the return register.
  kRegisterSet,           // GETREGSET, edit, SETREGSET (+ arm64 number regset).
};

// What reading a stop returns for a thread of an ABI sysgate has no tables
// for (AArch32 on arm64): an error naming the ABI, e.g. "32-bit ARM
// (AArch32), audit arch 0x40000028". The process must not run on.
absl::Status UnsupportedAbiError(const std::string& abi);
bool IsUnsupportedAbi(const absl::Status& status);

class SyscallAccess {
 public:
  explicit SyscallAccess(KernelFeatures features,
                         SkipMethod skip = SkipMethod::kSingleRegisters)
      : features_(features), skip_(skip) {}

  const KernelFeatures& features() const { return features_; }

  // At a PTRACE_EVENT_SECCOMP stop: one PTRACE_GET_SYSCALL_INFO, or the
  // register set plus GETEVENTMSG where the kernel predates it.
  // An UnsupportedAbiError for a call of an ABI sysgate has no tables
  // for, such as AArch32 on arm64.
  absl::StatusOr<SyscallStop> ReadSeccompStop(pid_t tid) const;

  // The call does not run; the caller sees `value` as its raw result
  // (-errno for a failure). Allowed on vsyscall stops.
  absl::Status Skip(const SyscallStop& stop, int64_t value) const;

  // Runs another call, or the same one with other arguments. A vsyscall's
  // number can never change (the kernel kills the process): that is
  // refused with FailedPrecondition and nothing is written.
  absl::Status Rewrite(const SyscallStop& stop, int nr,
                       const std::array<uint64_t, 6>& args) const;

  // Changes only the number, on any stop, so that the filter's second pass
  // (run after every TRACE stop) applies a kill or trap to the call. On a
  // vsyscall the kernel kills the process with SIGSYS instead: that is
  // only ever asked for by a kill.
  absl::Status RedirectNumber(const SyscallStop& stop, int nr) const;

  // At any ptrace stop (the exec stop included): the thread's ABI and stack
  // pointer, from PTRACE_GET_SYSCALL_INFO (whose arch and sp are filled in
  // for every stop), or the register set. UnsupportedAbiError as above.
  struct Pointers {
    AbiId abi = AbiId::kX86_64;
    uint64_t ip = 0;
    uint64_t sp = 0;
  };
  absl::StatusOr<Pointers> ReadPointers(pid_t tid) const;

  // After a trap decided at a TRACE stop redirected call `nr` to
  // `redirected_nr` (which the filter traps), as a trap of `nr` itself
  // would have left things. At the first signal-delivery stop that
  // follows: the number register the trap rolled back (x86's rax/eax; the
  // program's return value unless its handler sets one) holds `nr`.
  absl::Status RestoreTrappedNumber(pid_t tid, int nr) const;
  // At the SIGSYS's delivery stop: a siginfo that is that trap's
  // (SYS_SECCOMP, si_syscall `redirected_nr`) names `nr` with RET_DATA
  // `data`; any other (one the program queued first, which the kernel's
  // own then did not join) is left as it is.
  absl::Status NameTrapSignal(pid_t tid, int redirected_nr, int nr,
                              uint16_t data) const;

  // At the syscall-exit stop that follows a PTRACE_SYSCALL resume.
  absl::StatusOr<int64_t> ReadReturn(pid_t tid, AbiId abi) const;
  absl::Status SetReturn(pid_t tid, int64_t value) const;

 private:
  absl::StatusOr<SyscallStop> ReadFromRegisters(pid_t tid) const;

  KernelFeatures features_;
  SkipMethod skip_;
};

}  // namespace sysgate

#endif  // SYSGATE_ARCH_SYSCALL_ACCESS_H_
