// i386: the ABI of 32-bit x86 processes (and of `int $0x80` from 64-bit
// ones, whose registers use the x86-64 layout; see x86_64.cc), and the
// 68-byte register layout the kernel gives for a 32-bit tracee.
#include <linux/audit.h>

#include <cstddef>

#include "arch/abi.h"
#include "arch/registers.h"

namespace sysgate {
namespace {

// struct user_regs_struct of i386 (arch/x86/include/asm/user_32.h), 17
// 32-bit words, as PTRACE_GETREGSET NT_PRSTATUS returns it for a compat task.
enum Reg32 : size_t {
  kEbx = 0,
  kEcx = 1,
  kEdx = 2,
  kEsi = 3,
  kEdi = 4,
  kEbp = 5,
  kEax = 6,
  kOrigEax = 11,
  kEip = 12,
  kEsp = 15,
  kRegs32Count = 17,
};

constexpr size_t Off(Reg32 r) { return r * 4; }
constexpr Reg32 kArgs[6] = {kEbx, kEcx, kEdx, kEsi, kEdi, kEbp};

absl::StatusOr<EntryRegisters> DecodeEntry(const RegisterImage& img,
                                           AbiId abi) {
  if (abi != AbiId::kI386) {
    return absl::InvalidArgumentError("i386 registers hold only the i386 ABI");
  }
  EntryRegisters e;
  e.nr = static_cast<int32_t>(img.Word(Off(kOrigEax), 4));
  for (int i = 0; i < 6; ++i) e.args[i] = img.Word(Off(kArgs[i]), 4);
  e.ip = img.Word(Off(kEip), 4);
  e.sp = img.Word(Off(kEsp), 4);
  return e;
}

void EncodeSkip(RegisterImage& img, AbiId, int64_t value) {
  img.SetWord(Off(kOrigEax), 4, 0xffffffffu);
  img.SetWord(Off(kEax), 4, static_cast<uint64_t>(value));
}

void EncodeArgs(RegisterImage& img, AbiId,
                const std::array<uint64_t, 6>& args) {
  for (int i = 0; i < 6; ++i) img.SetWord(Off(kArgs[i]), 4, args[i]);
}

bool EncodeNumber(RegisterImage& img, AbiId, int nr) {
  img.SetWord(Off(kOrigEax), 4, static_cast<uint32_t>(nr));
  return true;
}

void EncodeReturn(RegisterImage& img, AbiId, int64_t value) {
  img.SetWord(Off(kEax), 4, static_cast<uint64_t>(value));
}

int64_t DecodeReturn(const RegisterImage& img, AbiId) {
  return static_cast<int32_t>(img.Word(Off(kEax), 4));
}

constexpr Abi::Entry kTable[] = {
#define SYSCALL(nr, name) {nr, name},
#include "arch/tables/i386.inc"
#undef SYSCALL
};

}  // namespace

const Abi& I386Abi() {
  static const Abi* abi =
      new Abi(AbiId::kI386, "i386", AUDIT_ARCH_I386, 32, kTable);
  return *abi;
}

const LayoutOps& I386Layout() {
  static constexpr LayoutOps kOps = {
      kRegs32Count * 4, DecodeEntry,  EncodeSkip,  EncodeArgs,
      EncodeNumber,     EncodeReturn, DecodeReturn};
  return kOps;
}

}  // namespace sysgate
