// Register images of a thread stopped at a syscall, and what each ABI keeps
// where. These functions are pure (no ptrace), so every layout is unit-tested
// on any host against recorded images, arm64 included.
#ifndef SYSGATE_ARCH_REGISTERS_H_
#define SYSGATE_ARCH_REGISTERS_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "arch/abi.h"

namespace sysgate {

// The NT_PRSTATUS register set as PTRACE_GETREGSET returns it. Its layout
// follows from its size, which the kernel chooses by the tracee's mode: a
// 32-bit process gets the 68-byte i386 layout even under a 64-bit tracer,
// while `int $0x80` from a 64-bit process keeps the 216-byte x86-64 layout
// with the i386 calling convention (so the ABI comes from the stop's audit
// arch, never from this size).
enum class RegsLayout : uint8_t { kX86_64, kI386, kArm64 };

struct RegisterImage {
  static constexpr size_t kMaxSize = 34 * 8;  // arm64 user_pt_regs.
  alignas(8) std::array<uint8_t, kMaxSize> bytes{};
  size_t size = 0;

  absl::optional<RegsLayout> layout() const;
  uint64_t Word(size_t offset, size_t width) const;
  void SetWord(size_t offset, size_t width, uint64_t value);
};

// What the registers of a thread at syscall entry say under an ABI.
struct EntryRegisters {
  int nr = -1;
  std::array<uint64_t, 6> args{};
  uint64_t ip = 0;
  uint64_t sp = 0;
};

// One layout's accessors; each arch file provides the ones it owns.
struct LayoutOps {
  size_t size;
  absl::StatusOr<EntryRegisters> (*decode_entry)(const RegisterImage&, AbiId);
  // Makes the call not run and return `value`. arm64 also needs the number
  // changed through NT_ARM_SYSTEM_CALL (kArmSystemCallRegset).
  void (*encode_skip)(RegisterImage&, AbiId, int64_t value);
  void (*encode_args)(RegisterImage&, AbiId, const std::array<uint64_t, 6>&);
  // false where the number is not in this register set (arm64).
  bool (*encode_number)(RegisterImage&, AbiId, int nr);
  void (*encode_return)(RegisterImage&, AbiId, int64_t value);
  int64_t (*decode_return)(const RegisterImage&, AbiId);
};

const LayoutOps& OpsFor(RegsLayout layout);
const LayoutOps& X86_64Layout();
const LayoutOps& I386Layout();
const LayoutOps& Arm64Layout();

// The x86-64 vsyscall page: a stop there may only be skipped (see
// Documentation/userspace-api/seccomp_filter.rst, "Caveats").
bool IsVsyscallEntry(AbiId abi, uint64_t ip);

// arm64 keeps the syscall number outside NT_PRSTATUS: regset 0x404,
// one 32-bit int (arch/arm64/kernel/ptrace.c, since Linux 4.19).
inline constexpr int kArmSystemCallRegset = 0x404;

// Sign-extends a register value the way an ABI's word is read.
int64_t SignedWord(AbiId abi, uint64_t value);

}  // namespace sysgate

#endif  // SYSGATE_ARCH_REGISTERS_H_
