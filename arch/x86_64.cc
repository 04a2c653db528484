// x86-64: the native ABI, its register layout (also used by `int $0x80`
// i386 calls from 64-bit processes) and the vsyscall page. Pure: the
// ptrace edits of an x86-64 host are in host_registers_x86_64.cc.
#include <linux/audit.h>

#include <cstddef>

#include "arch/abi.h"
#include "arch/registers.h"

namespace sysgate {
namespace {

// struct user_regs_struct (arch/x86/include/asm/user_64.h), 27 words.
enum Reg64 : size_t {
  kRbp = 4,
  kRbx = 5,
  kR10 = 7,
  kR9 = 8,
  kR8 = 9,
  kRax = 10,
  kRcx = 11,
  kRdx = 12,
  kRsi = 13,
  kRdi = 14,
  kOrigRax = 15,
  kRip = 16,
  kRsp = 19,
  kRegs64Count = 27,
};

constexpr size_t Off(Reg64 r) { return r * 8; }

// Argument registers: the x86-64 syscall convention, and i386's when a
// 64-bit process enters through `int $0x80` (arch/x86/entry/entry_64_compat.S).
constexpr Reg64 kArgs64[6] = {kRdi, kRsi, kRdx, kR10, kR8, kR9};
constexpr Reg64 kArgs32[6] = {kRbx, kRcx, kRdx, kRsi, kRdi, kRbp};

const Reg64* ArgRegs(AbiId abi) {
  return abi == AbiId::kI386 ? kArgs32 : kArgs64;
}

absl::StatusOr<EntryRegisters> DecodeEntry(const RegisterImage& img,
                                           AbiId abi) {
  if (abi != AbiId::kX86_64 && abi != AbiId::kI386) {
    return absl::InvalidArgumentError("x86-64 registers cannot hold this ABI");
  }
  EntryRegisters e;
  e.nr = static_cast<int>(img.Word(Off(kOrigRax), 8));
  const Reg64* regs = ArgRegs(abi);
  // `int $0x80` from a 64-bit process: only the low words are the call's
  // arguments (Abi::ArgWord).
  size_t arg_width = abi == AbiId::kI386 ? 4 : 8;
  for (int i = 0; i < 6; ++i) e.args[i] = img.Word(Off(regs[i]), arg_width);
  e.ip = img.Word(Off(kRip), 8);
  e.sp = img.Word(Off(kRsp), 8);
  return e;
}

void EncodeSkip(RegisterImage& img, AbiId, int64_t value) {
  img.SetWord(Off(kOrigRax), 8, static_cast<uint64_t>(-1));
  img.SetWord(Off(kRax), 8, static_cast<uint64_t>(value));
}

void EncodeArgs(RegisterImage& img, AbiId abi,
                const std::array<uint64_t, 6>& args) {
  const Reg64* regs = ArgRegs(abi);
  for (int i = 0; i < 6; ++i) img.SetWord(Off(regs[i]), 8, args[i]);
}

bool EncodeNumber(RegisterImage& img, AbiId, int nr) {
  img.SetWord(Off(kOrigRax), 8,
              static_cast<uint64_t>(static_cast<int64_t>(nr)));
  return true;
}

void EncodeReturn(RegisterImage& img, AbiId, int64_t value) {
  img.SetWord(Off(kRax), 8, static_cast<uint64_t>(value));
}

int64_t DecodeReturn(const RegisterImage& img, AbiId abi) {
  return SignedWord(abi, img.Word(Off(kRax), 8));
}

constexpr Abi::Entry kTable[] = {
#define SYSCALL(nr, name) {nr, name},
#include "arch/tables/x86_64.inc"
#undef SYSCALL
};

}  // namespace

const Abi& X86_64Abi() {
  static const Abi* abi =
      new Abi(AbiId::kX86_64, "x86_64", AUDIT_ARCH_X86_64, 64, kTable);
  return *abi;
}

const LayoutOps& X86_64Layout() {
  static constexpr LayoutOps kOps = {
      kRegs64Count * 8, DecodeEntry,  EncodeSkip,  EncodeArgs,
      EncodeNumber,     EncodeReturn, DecodeReturn};
  return kOps;
}

bool IsVsyscallEntry(AbiId abi, uint64_t ip) {
  // The three entries sit at 0xffffffffff600{000,400,800}; the kernel's own
  // test masks 0x0C00 (seccomp_filter.rst). 32-bit processes have no page.
  return abi == AbiId::kX86_64 && (ip & ~0x0C00ULL) == 0xFFFFFFFFFF600000ULL;
}

}  // namespace sysgate
