#include "arch/abi.h"

#include <linux/audit.h>

#include <algorithm>
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

// Types the kernel reads as 32 bits: the upper half of the register is
// ignored, so a filter comparing it would be fooled by garbage there.
bool IsIntSized(absl::string_view t) {
  static const char* kTypes[] = {"int",
                                 "unsigned int",
                                 "unsigned",
                                 "umode_t",
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
                                 "old_uid_t",
                                 "old_gid_t",
                                 "key_t",
                                 "const clockid_t",
                                 "unsigned int __user"};
  for (const char* k : kTypes) {
    if (t == k) return true;
  }
  return false;
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
        uint8_t bits = (word_bits == 32 || IsIntSized(p.c_type)) ? 32 : 64;
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
