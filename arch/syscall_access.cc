#include "arch/syscall_access.h"

#include <elf.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "arch/host_registers.h"
#include "arch/ptrace.h"
#include "arch/registers.h"

namespace sysgate {
namespace {

// struct ptrace_syscall_info as of Linux 6.16 (the installed 6.1 header
// names `reserved`/`flags` `pad[3]`). SET requires the full size and
// reserved == flags == 0; it ignores arch, ip and sp.
struct SyscallInfo {
  uint8_t op;
  uint8_t reserved;
  uint16_t flags;
  uint32_t arch;
  uint64_t instruction_pointer;
  uint64_t stack_pointer;
  union {
    struct {
      uint64_t nr;
      uint64_t args[6];
    } entry;
    struct {
      int64_t rval;
      uint8_t is_error;
    } exit;
    struct {
      uint64_t nr;
      uint64_t args[6];
      uint32_t ret_data;
      uint32_t reserved2;
    } seccomp;
  };
};
static_assert(sizeof(SyscallInfo) == 88, "ptrace_syscall_info layout");

constexpr uint8_t kOpSeccomp = PTRACE_SYSCALL_INFO_SECCOMP;
constexpr uint8_t kOpExit = PTRACE_SYSCALL_INFO_EXIT;

absl::StatusOr<RegisterImage> ReadRegisters(pid_t tid) {
  RegisterImage img;
  absl::StatusOr<size_t> n =
      ptrace::GetRegset(tid, NT_PRSTATUS, img.bytes.data(), img.bytes.size());
  if (!n.ok()) return n.status();
  img.size = *n;
  if (!img.layout()) {
    // arm64 gives an AArch32 task its 18-word compat set (Linux 3.7+).
    constexpr size_t kArmCompatSize = 18 * 4;
    return UnsupportedAbiError(
        absl::StrCat(*n == kArmCompatSize ? kAArch32Name : "an unknown ABI",
                     ", ", *n, "-byte register set"));
  }
  return img;
}

absl::Status WriteRegisters(pid_t tid, const RegisterImage& img) {
  return ptrace::SetRegset(tid, NT_PRSTATUS, img.bytes.data(), img.size);
}

// Without PTRACE_GET_SYSCALL_INFO the stop does not say its ABI. A 32-bit
// process has the i386 layout; a 64-bit one used `int $0x80` (CD 80) or
// `syscall` (0F 05), the two bytes before ip. The vsyscall page cannot be
// read (execute-only) and is always x86-64.
absl::StatusOr<AbiId> AbiFromRegisters(pid_t tid, const RegisterImage& img) {
  switch (*img.layout()) {
    case RegsLayout::kI386:
      return AbiId::kI386;
    case RegsLayout::kArm64:
      return AbiId::kArm64;
    case RegsLayout::kX86_64:
      break;
  }
  absl::StatusOr<EntryRegisters> e =
      OpsFor(RegsLayout::kX86_64).decode_entry(img, AbiId::kX86_64);
  if (!e.ok()) return e.status();
  if (IsVsyscallEntry(AbiId::kX86_64, e->ip)) return AbiId::kX86_64;
  absl::StatusOr<uint64_t> word = ptrace::PeekData(tid, e->ip - 2);
  if (!word.ok()) return word.status();
  bool int80 = (*word & 0xffff) == 0x80cd;
  return int80 ? AbiId::kI386 : AbiId::kX86_64;
}

}  // namespace

// Marked by a payload, not only by its code: absl::ErrnoToStatus makes
// ENOSYS Unimplemented too, and no ptrace failure may pass for this.
constexpr absl::string_view kUnsupportedAbiPayload = "sysgate/unsupported-abi";

absl::Status UnsupportedAbiError(const std::string& abi) {
  absl::Status status = absl::UnimplementedError(abi);
  status.SetPayload(kUnsupportedAbiPayload, absl::Cord(abi));
  return status;
}

bool IsUnsupportedAbi(const absl::Status& status) {
  return status.GetPayload(kUnsupportedAbiPayload).has_value();
}

namespace {

// The call in `img` as `abi` reads it; no RET_DATA.
absl::StatusOr<SyscallStop> DecodeCall(pid_t tid, const RegisterImage& img,
                                       AbiId abi) {
  absl::StatusOr<EntryRegisters> e =
      OpsFor(*img.layout()).decode_entry(img, abi);
  if (!e.ok()) return e.status();
  SyscallStop stop;
  stop.tid = tid;
  stop.abi = abi;
  stop.nr = e->nr;
  stop.args = e->args;
  stop.ip = e->ip;
  stop.sp = e->sp;
  return stop;
}

}  // namespace

absl::StatusOr<SyscallStop> SyscallAccess::ReadSeccompStop(pid_t tid) const {
  if (!features_.get_syscall_info) return ReadFromRegisters(tid);
  SyscallInfo info{};
  absl::StatusOr<size_t> n = ptrace::GetSyscallInfo(tid, &info, sizeof(info));
  if (!n.ok()) return n.status();
  if (info.op != kOpSeccomp) {
    return absl::InternalError(absl::StrCat(
        "tid ", tid, " is not at a seccomp stop (op ", info.op, ")"));
  }
  const Abi* abi = AbiForAuditArch(info.arch);
  if (abi == nullptr) {
    return UnsupportedAbiError(DescribeUnsupportedAuditArch(info.arch));
  }
  SyscallStop stop;
  stop.tid = tid;
  stop.abi = abi->id();
  stop.nr = static_cast<int>(info.seccomp.nr);
  for (int i = 0; i < 6; ++i) stop.args[i] = abi->ArgWord(info.seccomp.args[i]);
  stop.ip = info.instruction_pointer;
  stop.sp = info.stack_pointer;
  stop.ret_data = info.seccomp.ret_data;
  return stop;
}

absl::StatusOr<SyscallStop> SyscallAccess::ReadFromRegisters(pid_t tid) const {
  absl::StatusOr<RegisterImage> img = ReadRegisters(tid);
  if (!img.ok()) return img.status();
  absl::StatusOr<AbiId> abi = AbiFromRegisters(tid, *img);
  if (!abi.ok()) return abi.status();
  absl::StatusOr<SyscallStop> stop = DecodeCall(tid, *img, *abi);
  if (!stop.ok()) return stop.status();
  absl::StatusOr<unsigned long> data = ptrace::GetEventMsg(tid);
  if (!data.ok()) return data.status();
  stop->ret_data = static_cast<uint32_t>(*data);
  return stop;
}

// SIGSYS's si_code for a seccomp trap (include/uapi/asm-generic/siginfo.h);
// not every libc's <signal.h> names it.
constexpr int kSysSeccomp = 1;

absl::Status SyscallAccess::RestoreTrappedNumber(pid_t tid, int nr) const {
  return host::SetRolledBackNumber(tid, nr);
}

absl::Status SyscallAccess::NameTrapSignal(pid_t tid, int redirected_nr, int nr,
                                           uint16_t data) const {
  absl::StatusOr<siginfo_t> info = ptrace::GetSigInfo(tid);
  if (!info.ok()) return info.status();
  // A standard signal already pending is not queued twice: a SIGSYS the
  // program queued itself before the trap is delivered in its place.
  if (info->si_signo != SIGSYS || info->si_code != kSysSeccomp ||
      info->si_syscall != redirected_nr) {
    return absl::OkStatus();
  }
  info->si_syscall = nr;
  info->si_errno = data;  // seccomp_send_sigsys: SECCOMP_RET_DATA.
  return ptrace::SetSigInfo(tid, *info);
}

absl::StatusOr<SyscallAccess::Pointers> SyscallAccess::ReadPointers(
    pid_t tid) const {
  if (features_.get_syscall_info) {
    SyscallInfo info{};
    absl::StatusOr<size_t> n = ptrace::GetSyscallInfo(tid, &info, sizeof(info));
    if (!n.ok()) return n.status();
    const Abi* abi = AbiForAuditArch(info.arch);
    if (abi == nullptr) {
      return UnsupportedAbiError(DescribeUnsupportedAuditArch(info.arch));
    }
    return Pointers{abi->id(), info.instruction_pointer, info.stack_pointer};
  }
  absl::StatusOr<RegisterImage> img = ReadRegisters(tid);
  if (!img.ok()) return img.status();
  RegsLayout layout = *img->layout();
  AbiId abi = layout == RegsLayout::kI386    ? AbiId::kI386
              : layout == RegsLayout::kArm64 ? AbiId::kArm64
                                             : AbiId::kX86_64;
  absl::StatusOr<EntryRegisters> e = OpsFor(layout).decode_entry(*img, abi);
  if (!e.ok()) return e.status();
  return Pointers{abi, e->ip, e->sp};
}

absl::Status SyscallAccess::Skip(const SyscallStop& stop, int64_t value) const {
  switch (skip_) {
    case SkipMethod::kSingleRegisters: {
      absl::Status s = host::SetSyscallNumber(stop.tid, -1);
      if (!s.ok()) return s;
      return host::SetReturnRegister(stop.tid, value);
    }
    case SkipMethod::kSyscallInfoAndReturn: {
      if (!features_.set_syscall_info) break;
      SyscallInfo info{};
      info.op = kOpSeccomp;
      info.seccomp.nr = static_cast<uint64_t>(-1);
      absl::Status s = ptrace::SetSyscallInfo(stop.tid, &info, sizeof(info));
      if (!s.ok()) return s;
      return host::SetReturnRegister(stop.tid, value);
    }
    case SkipMethod::kRegisterSet:
      break;
  }
  absl::StatusOr<RegisterImage> img = ReadRegisters(stop.tid);
  if (!img.ok()) return img.status();
  OpsFor(*img->layout()).encode_skip(*img, stop.abi, value);
  absl::Status s = WriteRegisters(stop.tid, *img);
  if (!s.ok() || *img->layout() != RegsLayout::kArm64) return s;
  return host::SetSyscallNumber(stop.tid, -1);
}

absl::Status SyscallAccess::Rewrite(const SyscallStop& stop, int nr,
                                    const std::array<uint64_t, 6>& args) const {
  if (stop.is_vsyscall() && nr != stop.nr) {
    return absl::FailedPreconditionError(
        "a vsyscall's number cannot change (the kernel would kill the process "
        "with SIGSYS); it may only be skipped");
  }
  if (features_.set_syscall_info) {
    SyscallInfo info{};
    info.op = kOpSeccomp;
    info.seccomp.nr = static_cast<uint64_t>(static_cast<int64_t>(nr));
    std::memcpy(info.seccomp.args, args.data(), sizeof(info.seccomp.args));
    return ptrace::SetSyscallInfo(stop.tid, &info, sizeof(info));
  }
  absl::StatusOr<RegisterImage> img = ReadRegisters(stop.tid);
  if (!img.ok()) return img.status();
  const LayoutOps& ops = OpsFor(*img->layout());
  ops.encode_args(*img, stop.abi, args);
  bool number_in_regs = ops.encode_number(*img, stop.abi, nr);
  absl::Status s = WriteRegisters(stop.tid, *img);
  if (!s.ok() || number_in_regs) return s;
  return host::SetSyscallNumber(stop.tid, nr);
}

absl::Status SyscallAccess::RedirectNumber(const SyscallStop& stop,
                                           int nr) const {
  return host::SetSyscallNumber(stop.tid, nr);
}

absl::StatusOr<int64_t> SyscallAccess::ReadReturn(pid_t tid, AbiId abi) const {
  if (features_.get_syscall_info) {
    SyscallInfo info{};
    absl::StatusOr<size_t> n = ptrace::GetSyscallInfo(tid, &info, sizeof(info));
    if (!n.ok()) return n.status();
    if (info.op == kOpExit) return info.exit.rval;
  }
  absl::StatusOr<RegisterImage> img = ReadRegisters(tid);
  if (!img.ok()) return img.status();
  return OpsFor(*img->layout()).decode_return(*img, abi);
}

absl::Status SyscallAccess::SetReturn(pid_t tid, int64_t value) const {
  return host::SetReturnRegister(tid, value);
}

}  // namespace sysgate
