#include "arch/abi.h"

#include <linux/audit.h>

#include <algorithm>
#include <deque>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sysgate {
namespace {

struct RawParam {
  const char* name;
  const char* c_type;
};
struct RawSignature {
  const char* name;
  std::vector<RawParam> params;
};

// Parameter names and C types of the running kernel at generation time.
const std::vector<RawSignature>& Signatures() {
  static const auto* sigs = new std::vector<RawSignature>{
#define SIGNATURE(name, ...) {name, __VA_ARGS__},
#include "arch/tables/signatures.inc"
#undef SIGNATURE
  };
  return *sigs;
}

const RawSignature* FindSignature(absl::string_view name) {
  static const auto* index = [] {
    auto* map = new absl::flat_hash_map<absl::string_view, const RawSignature*>;
    for (const RawSignature& s : Signatures()) (*map)[s.name] = &s;
    return map;
  }();
  auto it = index->find(name);
  return it == index->end() ? nullptr : it->second;
}

// The width table: how many bits of each parameter the kernel uses. A
// filter or a report that looked at more would be fooled by garbage the
// program puts in bits the kernel ignores; one that looked at fewer would
// let a value through that the kernel reads differently.
//
// By type first. The x86-64 and arm64 syscall wrappers pass every argument
// as a long and cast it to the declared type (include/linux/syscalls.h,
// __SC_CAST; the compat wrappers of arch/x86/include/asm/syscall_wrapper.h
// first truncate the register to 32 bits), so an int-sized type keeps the
// low word and umode_t (include/linux/types.h: unsigned short) the low 16.
int BitsOfType(absl::string_view t) {
  if (t == "umode_t") return 16;
  static const char* kIntSized[] = {"int",
                                    "unsigned int",
                                    "unsigned",
                                    "pid_t",
                                    "uid_t",
                                    "gid_t",
                                    "key_serial_t",
                                    "clockid_t",
                                    "timer_t",
                                    "mqd_t",
                                    "qid_t",
                                    "rwf_t",
                                    "u32",
                                    "__u32",
                                    "s32",
                                    "__s32",
                                    "key_t",
                                    "const clockid_t",
                                    "unsigned int __user"};
  for (const char* k : kIntSized) {
    if (t == k) return 32;
  }
  // __kernel_old_uid_t (arch/x86/include/uapi/asm/posix_types_32.h).
  if (t == "old_uid_t" || t == "old_gid_t") return 16;
  return 64;
}

// Then the parameters declared wider than the kernel reads them, each with
// the code that narrows it. Parameters the kernel validates in full (an
// upper bit set fails the call: unshare's flags in ksys_unshare,
// mprotect's prot in arch_validate_prot, mremap's flags) stay 64 bits:
// comparing all of them decides exactly what the kernel would run.
struct NarrowedParam {
  const char* call;
  const char* param;
  int bits;
};
constexpr NarrowedParam kNarrowed[] = {
    // kernel/fork.c, SYSCALL_DEFINE5(clone): `.flags =
    // (lower_32_bits(clone_flags) & ~CSIGNAL)`, and the exit signal from the
    // same low word.
    {"clone", "clone_flags", 32},
    // mm/mmap.c do_mmap: prot only through calc_vm_prot_bits() and tests
    // of single PROT_* bits, flags through calc_vm_flag_bits() and MAP_TYPE
    // (MAP_SHARED_VALIDATE alone refuses unknown bits); mm/util.c
    // ksys_mmap_pgoff passes fd to fget(unsigned int).
    {"mmap", "prot", 32},
    {"mmap", "flags", 32},
    {"mmap", "fd", 32},
    // kernel/ptrace.c: `long pid` goes to find_get_task_by_vpid(pid_t).
    {"ptrace", "pid", 32},
    // fs/fcntl.c do_fcntl: the integer commands use `(int)arg` or pass it
    // to unsigned int parameters (f_dupfd, setfl's SETFL_MASK); the others
    // take a pointer, on which no rule can usefully decide.
    {"fcntl", "arg", 32},
    // mm/mempolicy.c kernel_mbind: `int lmode = mode`.
    {"mbind", "mode", 32},
};

// i386's uid16 calls (kernel/uid16.c: chown16, setuid16, ...) take
// old_uid_t where the 64-bit signature of the same name says uid_t; their
// 32-bit forms are the `*32` numbers.
bool IsUid16Call(absl::string_view call) {
  static const char* kCalls[] = {
      "chown",    "lchown",    "fchown",    "setuid",   "setgid",  "setreuid",
      "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid"};
  for (const char* c : kCalls) {
    if (call == c) return true;
  }
  return false;
}

// A 64-bit scalar, which a 32-bit ABI passes in two registers.
bool IsSplitOn32Bit(absl::string_view t) {
  return t == "loff_t" || t == "__u64" || t == "u64" || t == "long long" ||
         t == "unsigned long long";
}

// "offset_lo": names that outlive every Abi (they are never freed).
absl::string_view HalfName(absl::string_view name, const char* half) {
  static auto* names = new std::deque<std::string>;
  names->push_back(absl::StrCat(name, half));
  return names->back();
}

int ParamBits(AbiId abi, int word_bits, absl::string_view call,
              absl::string_view name, absl::string_view c_type) {
  int bits = BitsOfType(c_type);
  for (const NarrowedParam& n : kNarrowed) {
    if (call == n.call && name == n.param) bits = std::min(bits, n.bits);
  }
  if (abi == AbiId::kI386 && IsUid16Call(call) &&
      (c_type == "uid_t" || c_type == "gid_t")) {
    bits = 16;
  }
  return std::min(bits, word_bits);
}

ArgKind Classify(absl::string_view call, absl::string_view name,
                 absl::string_view c_type) {
  if (absl::StrContains(c_type, "*")) {
    // utime and utimes declare their filename `char __user *`.
    if (absl::StrContains(c_type, "char") &&
        (absl::StartsWith(c_type, "const") || name == "filename")) {
      if (absl::StrContains(name, "name") || absl::StrContains(name, "path") ||
          name == "specialfile" || name == "library" || name == "dev_name" ||
          name == "dir_name") {
        return ArgKind::kPath;
      }
      return ArgKind::kString;
    }
    return ArgKind::kPointer;
  }
  if (name == "dfd" || name == "olddfd" || name == "newdfd" ||
      name == "dirfd" || name == "from_dfd" || name == "to_dfd") {
    return ArgKind::kDirFd;
  }
  if (name == "fd" || absl::EndsWith(name, "fd") || name == "fd_in" ||
      name == "fd_out" || name == "oldfd" || name == "newfd") {
    return ArgKind::kFd;
  }
  // Addresses passed as unsigned long (mmap, munmap, brk, mremap...).
  if (name == "addr" || name == "start" || name == "brk" ||
      name == "old_addr" || name == "new_addr") {
    return ArgKind::kPointer;
  }
  bool socket_call = call == "socket" || call == "socketpair";
  if (socket_call && name == "family") return ArgKind::kSocketFamily;
  if (socket_call && name == "type") return ArgKind::kSocketType;
  if (name == "mode" &&
      (call == "access" || call == "faccessat" || call == "faccessat2")) {
    return ArgKind::kAccessMode;
  }
  if (name == "flag" ||
      (name == "flags" &&
       (call == "faccessat2" || call == "fchownat" || call == "linkat" ||
        call == "statx" || call == "utimensat" || call == "execveat" ||
        call == "fchmodat2"))) {
    return ArgKind::kAtFlags;
  }
  if (call == "fcntl" && name == "cmd") return ArgKind::kFcntlCmd;
  if (call == "ioctl" && name == "cmd") return ArgKind::kHex;
  if (name == "flags" &&
      (call == "open" || call == "openat" || call == "creat")) {
    return ArgKind::kOpenFlags;
  }
  if (name == "mode" && c_type == "umode_t") return ArgKind::kMode;
  if (name == "prot") return ArgKind::kProt;
  if (name == "flags" && call == "mmap") return ArgKind::kMmapFlags;
  if (name == "clone_flags" || name == "unshare_flags")
    return ArgKind::kCloneFlags;
  if (name == "sig") return ArgKind::kSignal;
  bool is_unsigned =
      absl::StartsWith(c_type, "unsigned") || absl::StartsWith(c_type, "u") ||
      absl::StartsWith(c_type, "size_t") || absl::StartsWith(c_type, "__u");
  return is_unsigned ? ArgKind::kUnsigned : ArgKind::kSigned;
}

// clone's parameter order differs by ABI (kernel CONFIG_CLONE_BACKWARDS on
// i386 and arm64): flags, newsp, parent_tid, tls, child_tid.
std::vector<RawParam> ParamsFor(AbiId abi, absl::string_view call,
                                const RawSignature& sig) {
  std::vector<RawParam> params = sig.params;
  if (call == "clone" && abi != AbiId::kX86_64 && params.size() == 5) {
    std::swap(params[3], params[4]);
  }
  return params;
}

}  // namespace

Abi::Abi(AbiId id, absl::string_view name, uint32_t audit_arch, int word_bits,
         absl::Span<const Entry> table)
    : id_(id), name_(name), audit_arch_(audit_arch), word_bits_(word_bits) {
  syscalls_.reserve(table.size());
  for (const Entry& e : table) {
    SyscallDesc desc{e.nr, e.name, {}, false};
    // i386's mmap (90) and select (82) are the old one-pointer-to-a-struct
    // forms; the x86-64 signatures of those names do not describe them.
    bool old_form =
        id == AbiId::kI386 && (absl::string_view(e.name) == "mmap" ||
                               absl::string_view(e.name) == "select");
    if (const RawSignature* sig = old_form ? nullptr : FindSignature(e.name)) {
      desc.described = true;
      for (const RawParam& p : ParamsFor(id, e.name, *sig)) {
        if (word_bits == 32 && IsSplitOn32Bit(p.c_type)) {
          // Two registers, low word first (arch/x86/kernel/sys_ia32.c:
          // ia32_pread64(fd, buf, count, poslo, poshi), ...); every later
          // parameter moves one register on.
          for (const char* half : {"_lo", "_hi"}) {
            desc.params.push_back(
                {HalfName(p.name, half), p.c_type, ArgKind::kUnsigned, 32});
          }
          continue;
        }
        auto bits = static_cast<uint8_t>(
            ParamBits(id, word_bits, e.name, p.name, p.c_type));
        desc.params.push_back(
            {p.name, p.c_type, Classify(e.name, p.name, p.c_type), bits});
      }
    }
    syscalls_.push_back(std::move(desc));
  }
  std::sort(
      syscalls_.begin(), syscalls_.end(),
      [](const SyscallDesc& a, const SyscallDesc& b) { return a.nr < b.nr; });
  for (size_t i = 0; i < syscalls_.size(); ++i) {
    by_name_.emplace(syscalls_[i].name, i);
    by_nr_.emplace(syscalls_[i].nr, i);
  }
}

const SyscallDesc* Abi::Find(absl::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &syscalls_[it->second];
}

const SyscallDesc* Abi::Find(int nr) const {
  auto it = by_nr_.find(nr);
  return it == by_nr_.end() ? nullptr : &syscalls_[it->second];
}

std::string Abi::Name(int nr) const {
  if (const SyscallDesc* d = Find(nr)) return std::string(d->name);
  return absl::StrCat("syscall_", nr);
}

const Abi& GetAbi(AbiId id) {
  switch (id) {
    case AbiId::kX86_64:
      return X86_64Abi();
    case AbiId::kI386:
      return I386Abi();
    case AbiId::kArm64:
      return Arm64Abi();
  }
  return X86_64Abi();
}

absl::Span<const AbiId> AllAbis() {
  static constexpr AbiId kAll[] = {AbiId::kX86_64, AbiId::kI386, AbiId::kArm64};
  return kAll;
}

int KernelArgBits(const Abi& abi, int nr, int index) {
  const SyscallDesc* desc = abi.Find(nr);
  if (desc && index < static_cast<int>(desc->params.size()))
    return desc->params[index].bits;
  return abi.word_bits();
}

const Abi* AbiForAuditArch(uint32_t audit_arch) {
  for (AbiId id : AllAbis()) {
    if (GetAbi(id).audit_arch() == audit_arch) return &GetAbi(id);
  }
  return nullptr;
}

std::string DescribeUnsupportedAuditArch(uint32_t audit_arch) {
  // The compat ABIs of the hosts sysgate runs on; x32 shares x86-64's audit
  // arch and is told apart by number (see the compiler).
  absl::string_view what =
      audit_arch == AUDIT_ARCH_ARM ? kAArch32Name : "an unknown ABI";
  return absl::StrCat(what, ", audit arch 0x", absl::Hex(audit_arch));
}

absl::optional<AbiId> AbiByName(absl::string_view name) {
  for (AbiId id : AllAbis()) {
    if (GetAbi(id).name() == name) return id;
  }
  return absl::nullopt;
}

absl::optional<std::vector<AbiId>> MachineAbis(absl::string_view machine) {
  if (machine == "x86_64")
    return std::vector<AbiId>{AbiId::kX86_64, AbiId::kI386};
  if (machine == "arm64" || machine == "aarch64") {
    return std::vector<AbiId>{AbiId::kArm64};
  }
  return absl::nullopt;
}

absl::Span<const AbiId> HostAbis() {
#if defined(__x86_64__)
  static constexpr AbiId kHost[] = {AbiId::kX86_64, AbiId::kI386};
#elif defined(__aarch64__)
  static constexpr AbiId kHost[] = {AbiId::kArm64};
#else
#error "sysgate supports x86-64 and arm64 hosts"
#endif
  return kHost;
}

std::vector<absl::string_view> AllSyscallNames() {
  std::vector<absl::string_view> names;
  for (AbiId id : AllAbis()) {
    for (const SyscallDesc& d : GetAbi(id).syscalls()) names.push_back(d.name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace sysgate
