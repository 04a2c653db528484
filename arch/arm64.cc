// arm64: the ABI and its register layout (struct user_pt_regs). Pure: the
// ptrace edits of an arm64 host are in host_registers_arm64.cc. The
// syscall number is not in NT_PRSTATUS: it is read from x8 at entry but
// changed only through the NT_ARM_SYSTEM_CALL regset (writing x8 has no
// effect after entry).
#include <linux/audit.h>

#include <cstddef>

#include "arch/abi.h"
#include "arch/registers.h"

namespace sysgate {
namespace {

// struct user_pt_regs (arch/arm64/include/uapi/asm/ptrace.h):
// x0..x30, sp, pc, pstate; 34 64-bit words.
constexpr size_t kX8 = 8, kSp = 31, kPc = 32, kRegsCount = 34;
constexpr size_t Off(size_t reg) { return reg * 8; }

absl::StatusOr<EntryRegisters> DecodeEntry(const RegisterImage& img,
                                           AbiId abi) {
  if (abi != AbiId::kArm64) {
    return absl::InvalidArgumentError(
        "arm64 registers hold only the arm64 ABI");
  }
  EntryRegisters e;
  e.nr = static_cast<int>(img.Word(Off(kX8), 8));
  for (int i = 0; i < 6; ++i) e.args[i] = img.Word(Off(i), 8);
  e.ip = img.Word(Off(kPc), 8);
  e.sp = img.Word(Off(kSp), 8);
  return e;
}

// x0 is both the first argument and the return value: a skip must always
// write it, or the caller sees its own first argument as the result.
void EncodeSkip(RegisterImage& img, AbiId, int64_t value) {
  img.SetWord(Off(0), 8, static_cast<uint64_t>(value));
}

void EncodeArgs(RegisterImage& img, AbiId,
                const std::array<uint64_t, 6>& args) {
  for (int i = 0; i < 6; ++i) img.SetWord(Off(i), 8, args[i]);
}

bool EncodeNumber(RegisterImage&, AbiId, int) { return false; }

void EncodeReturn(RegisterImage& img, AbiId, int64_t value) {
  img.SetWord(Off(0), 8, static_cast<uint64_t>(value));
}

int64_t DecodeReturn(const RegisterImage& img, AbiId) {
  return static_cast<int64_t>(img.Word(Off(0), 8));
}

constexpr Abi::Entry kTable[] = {
#define SYSCALL(nr, name) {nr, name},
#include "arch/tables/arm64.inc"
#undef SYSCALL
};

}  // namespace

const Abi& Arm64Abi() {
  static const Abi* abi =
      new Abi(AbiId::kArm64, "arm64", AUDIT_ARCH_AARCH64, 64, kTable);
  return *abi;
}

const LayoutOps& Arm64Layout() {
  static constexpr LayoutOps kOps = {kRegsCount * 8, DecodeEntry,  EncodeSkip,
                                     EncodeArgs,     EncodeNumber, EncodeReturn,
                                     DecodeReturn};
  return kOps;
}

}  // namespace sysgate
