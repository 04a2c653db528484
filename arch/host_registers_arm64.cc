// The single-register edits of an arm64 host: the number through the
// NT_ARM_SYSTEM_CALL regset, x0 by a read-modify-write of NT_PRSTATUS.
#if defined(__aarch64__)
#include <elf.h>

#include "arch/host_registers.h"
#include "arch/ptrace.h"
#include "arch/registers.h"

namespace sysgate::host {

absl::Status SetSyscallNumber(pid_t tid, int nr) {
  int32_t value = nr;
  return ptrace::SetRegset(tid, kArmSystemCallRegset, &value, sizeof(value));
}

absl::Status SetReturnRegister(pid_t tid, int64_t value) {
  RegisterImage img;
  absl::StatusOr<size_t> n =
      ptrace::GetRegset(tid, NT_PRSTATUS, img.bytes.data(), img.bytes.size());
  if (!n.ok()) return n.status();
  img.size = *n;
  Arm64Layout().encode_return(img, AbiId::kArm64, value);
  return ptrace::SetRegset(tid, NT_PRSTATUS, img.bytes.data(), img.size);
}

absl::Status SetRolledBackNumber(pid_t, int) { return absl::OkStatus(); }

}  // namespace sysgate::host
#endif
