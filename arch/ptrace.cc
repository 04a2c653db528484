#include "arch/ptrace.h"

#include <errno.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "absl/strings/str_cat.h"

namespace sysgate::ptrace {
namespace {

// glibc's ptrace() is variadic over an enum; call it with plain longs.
long Raw(long request, pid_t tid, uintptr_t addr, uintptr_t data) {
  return ::ptrace(static_cast<enum __ptrace_request>(request), tid,
                  reinterpret_cast<void*>(addr), reinterpret_cast<void*>(data));
}

absl::Status Check(long rc, const char* what, pid_t tid) {
  if (rc != -1) return absl::OkStatus();
  return absl::ErrnoToStatus(errno, absl::StrCat(what, " on tid ", tid));
}

}  // namespace

bool TraceeGone(const absl::Status& status) {
  return absl::IsNotFound(status);  // ESRCH maps to kNotFound.
}

absl::Status Seize(pid_t pid, unsigned long options) {
  return Check(Raw(PTRACE_SEIZE, pid, 0, options), "PTRACE_SEIZE", pid);
}

absl::Status Cont(pid_t tid, int signal) {
  return Check(Raw(PTRACE_CONT, tid, 0, signal), "PTRACE_CONT", tid);
}

absl::Status Syscall(pid_t tid, int signal) {
  return Check(Raw(PTRACE_SYSCALL, tid, 0, signal), "PTRACE_SYSCALL", tid);
}

absl::Status Interrupt(pid_t tid) {
  return Check(Raw(PTRACE_INTERRUPT, tid, 0, 0), "PTRACE_INTERRUPT", tid);
}

absl::Status Listen(pid_t tid) {
  return Check(Raw(PTRACE_LISTEN, tid, 0, 0), "PTRACE_LISTEN", tid);
}

absl::StatusOr<unsigned long> GetEventMsg(pid_t tid) {
  unsigned long msg = 0;
  absl::Status s =
      Check(Raw(PTRACE_GETEVENTMSG, tid, 0, reinterpret_cast<uintptr_t>(&msg)),
            "PTRACE_GETEVENTMSG", tid);
  if (!s.ok()) return s;
  return msg;
}

absl::StatusOr<siginfo_t> GetSigInfo(pid_t tid) {
  siginfo_t info{};
  absl::Status s =
      Check(Raw(PTRACE_GETSIGINFO, tid, 0, reinterpret_cast<uintptr_t>(&info)),
            "PTRACE_GETSIGINFO", tid);
  if (!s.ok()) return s;
  return info;
}

absl::Status SetSigInfo(pid_t tid, const siginfo_t& info) {
  return Check(
      Raw(PTRACE_SETSIGINFO, tid, 0, reinterpret_cast<uintptr_t>(&info)),
      "PTRACE_SETSIGINFO", tid);
}

absl::StatusOr<size_t> GetSyscallInfo(pid_t tid, void* buf, size_t size) {
  long rc =
      Raw(PTRACE_GET_SYSCALL_INFO, tid, size, reinterpret_cast<uintptr_t>(buf));
  absl::Status s = Check(rc, "PTRACE_GET_SYSCALL_INFO", tid);
  if (!s.ok()) return s;
  return static_cast<size_t>(rc);
}

absl::Status SetSyscallInfo(pid_t tid, const void* buf, size_t size) {
  return Check(
      Raw(kSetSyscallInfo, tid, size, reinterpret_cast<uintptr_t>(buf)),
      "PTRACE_SET_SYSCALL_INFO", tid);
}

absl::Status PokeUser(pid_t tid, size_t offset, uint64_t value) {
  return Check(Raw(PTRACE_POKEUSER, tid, offset, value), "PTRACE_POKEUSER",
               tid);
}

absl::StatusOr<size_t> GetRegset(pid_t tid, int note_type, void* buf,
                                 size_t size) {
  struct iovec iov = {buf, size};
  absl::Status s = Check(
      Raw(PTRACE_GETREGSET, tid, note_type, reinterpret_cast<uintptr_t>(&iov)),
      "PTRACE_GETREGSET", tid);
  if (!s.ok()) return s;
  return iov.iov_len;
}

absl::Status SetRegset(pid_t tid, int note_type, const void* buf, size_t size) {
  struct iovec iov = {const_cast<void*>(buf), size};
  return Check(
      Raw(PTRACE_SETREGSET, tid, note_type, reinterpret_cast<uintptr_t>(&iov)),
      "PTRACE_SETREGSET", tid);
}

absl::Status PokeData(pid_t tid, uint64_t addr, uint64_t word) {
  return Check(Raw(PTRACE_POKEDATA, tid, addr, word), "PTRACE_POKEDATA", tid);
}

absl::StatusOr<uint64_t> PeekData(pid_t tid, uint64_t addr) {
  errno = 0;
  long word = Raw(PTRACE_PEEKDATA, tid, addr, 0);
  if (word == -1 && errno != 0) {
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("PTRACE_PEEKDATA on tid ", tid));
  }
  return static_cast<uint64_t>(word);
}

}  // namespace sysgate::ptrace
