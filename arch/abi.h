// The syscall ABIs sysgate understands: names, numbers, parameter types and
// audit-arch values. Register access lives in registers.h; this header is
// pure data and usable from filters/ (which knows nothing of ptrace).
#ifndef SYSGATE_ARCH_ABI_H_
#define SYSGATE_ARCH_ABI_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "absl/types/span.h"

namespace sysgate {

enum class AbiId : uint8_t {
  kX86_64 = 0,
  kI386 = 1,  // 32-bit processes and `int $0x80` from 64-bit ones.
  kArm64 = 2,
};
inline constexpr int kAbiCount = 3;

// How a parameter is decoded and compared. Derived from the parameter's C
// type and name (see abi.cc), not written by hand per call.
enum class ArgKind : uint8_t {
  kSigned,
  kUnsigned,
  kFd,
  kDirFd,   // An fd where AT_FDCWD is meaningful.
  kPath,    // const char * naming a file.
  kString,  // Other const char *.
  kPointer,
  kOpenFlags,   // O_* for open/openat/creat.
  kMode,        // umode_t.
  kProt,        // PROT_* for mmap/mprotect.
  kMmapFlags,   // MAP_*.
  kCloneFlags,  // CLONE_*.
  kSignal,
  kSocketFamily,  // AF_*.
  kSocketType,    // SOCK_* with SOCK_NONBLOCK/SOCK_CLOEXEC.
  kAccessMode,    // F_OK or R_OK|W_OK|X_OK.
  kAtFlags,       // AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, ...
  kFcntlCmd,      // F_*.
  kHex,           // Best read in hex (ioctl requests).
};

struct Param {
  absl::string_view name;
  absl::string_view c_type;
  ArgKind kind;
  // Bits the kernel uses (abi.cc's width table): 16, 32 or 64. The kernel
  // ignores the rest of the register, so filters and reports must too.
  uint8_t bits;
};

// `value` as the kernel reads parameter `p`: its low `p.bits` bits.
inline uint64_t KernelView(const Param& p, uint64_t value) {
  return p.bits >= 64 ? value : value & ((1ull << p.bits) - 1);
}

struct SyscallDesc {
  int nr;
  absl::string_view name;
  std::vector<Param> params;
  // False when the running kernel's tracefs did not describe the call; it
  // then has six anonymous 64-bit parameters (arg0..arg5).
  bool described = false;
};

class Abi {
 public:
  struct Entry {
    int nr;
    const char* name;
  };
  Abi(AbiId id, absl::string_view name, uint32_t audit_arch, int word_bits,
      absl::Span<const Entry> table);

  AbiId id() const { return id_; }
  absl::string_view name() const { return name_; }
  uint32_t audit_arch() const { return audit_arch_; }
  int word_bits() const { return word_bits_; }
  // A register as this ABI's calls see it: a 32-bit ABI's entry reads the
  // low word (arch/x86/include/asm/syscall_wrapper.h: `(unsigned
  // int)regs->bx`), whatever a 64-bit process doing `int $0x80` left above
  // it, which ptrace's syscall info and seccomp's data still carry.
  uint64_t ArgWord(uint64_t reg) const {
    return word_bits_ == 32 ? reg & 0xffffffffu : reg;
  }
  const SyscallDesc* Find(absl::string_view name) const;
  const SyscallDesc* Find(int nr) const;
  const std::vector<SyscallDesc>& syscalls() const { return syscalls_; }
  // Name for reports: the table's name, or "syscall_N" for unknown numbers.
  std::string Name(int nr) const;

 private:
  AbiId id_;
  absl::string_view name_;
  uint32_t audit_arch_;
  int word_bits_;
  std::vector<SyscallDesc> syscalls_;  // Sorted by number.
  absl::flat_hash_map<absl::string_view, size_t> by_name_;
  absl::flat_hash_map<int, size_t> by_nr_;
};

const Abi& GetAbi(AbiId id);

// How many bits of argument `index` (0..5) of call `nr` the kernel reads on
// `abi`: the parameter's width, or the ABI's word for an undescribed call
// or a position past its parameters.
int KernelArgBits(const Abi& abi, int nr, int index);
const Abi* AbiForAuditArch(uint32_t audit_arch);
// arm64's compat ABI, which sysgate has no tables for.
inline constexpr char kAArch32Name[] = "32-bit ARM (AArch32)";
// For an audit arch sysgate has no Abi for: what it is, for reports
// ("32-bit ARM (AArch32), audit arch 0x40000028").
std::string DescribeUnsupportedAuditArch(uint32_t audit_arch);
absl::Span<const AbiId> AllAbis();
absl::optional<AbiId> AbiByName(absl::string_view name);

// The ABIs a process on this machine can use, in the order the compiled
// filter checks them: x86-64 then i386 on an x86-64 host, arm64 on arm64.
absl::Span<const AbiId> HostAbis();
// The ABIs of one machine type: "x86_64" or "arm64".
absl::optional<std::vector<AbiId>> MachineAbis(absl::string_view machine);

// Every syscall name known to any ABI (for "did you mean" hints).
std::vector<absl::string_view> AllSyscallNames();

// Per-ABI builders, each in its own file (x86_64.cc, i386.cc, arm64.cc).
// x86-64 numbers with this bit are the x32 ABI's (__X32_SYSCALL_BIT).
inline constexpr int kX32SyscallBit = 0x40000000;

const Abi& X86_64Abi();
const Abi& I386Abi();
const Abi& Arm64Abi();

}  // namespace sysgate

#endif  // SYSGATE_ARCH_ABI_H_
