#include "arch/tracee_memory.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "arch/ptrace.h"

namespace sysgate {
namespace {

constexpr uint64_t kPage = 4096;

// Reads up to `len` bytes without crossing into an unmapped page past the
// first: stops at the first page boundary that fails.
absl::StatusOr<size_t> ReadSome(pid_t tid, uint64_t addr, char* out,
                                size_t len) {
  struct iovec local = {out, len};
  struct iovec remote = {reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
  if (n > 0) return static_cast<size_t>(n);
  if (n < 0 && errno != EFAULT && errno != EPERM && errno != ENOSYS) {
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("process_vm_readv of tid ", tid));
  }
  // Fallback: word by word through ptrace.
  size_t done = 0;
  while (done < len) {
    uint64_t aligned = (addr + done) & ~7ull;
    absl::StatusOr<uint64_t> word = ptrace::PeekData(tid, aligned);
    if (!word.ok()) {
      if (done > 0) break;
      return word.status();
    }
    size_t skip = (addr + done) - aligned;
    size_t take = std::min(len - done, 8 - skip);
    std::memcpy(out + done, reinterpret_cast<const char*>(&*word) + skip, take);
    done += take;
  }
  return done;
}

}  // namespace

absl::Status ReadTraceeMemory(pid_t tid, uint64_t addr, void* out, size_t len) {
  size_t done = 0;
  while (done < len) {
    absl::StatusOr<size_t> n =
        ReadSome(tid, addr + done, static_cast<char*>(out) + done, len - done);
    if (!n.ok()) return n.status();
    if (*n == 0) return absl::OutOfRangeError("short read of tracee memory");
    done += *n;
  }
  return absl::OkStatus();
}

absl::Status WriteCallResult(pid_t tid, uint64_t addr, const void* data,
                             size_t len) {
  struct iovec local = {const_cast<void*>(data), len};
  struct iovec remote = {reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_writev(tid, &local, 1, &remote, 1, 0);
  if (n == static_cast<ssize_t>(len)) return absl::OkStatus();
  if (n < 0) return absl::ErrnoToStatus(errno, "process_vm_writev");
  return absl::OutOfRangeError("short write of tracee memory");
}

absl::Status WriteTraceeMemory(pid_t tid, uint64_t addr, const void* data,
                               size_t len) {
  if (WriteCallResult(tid, addr, data, len).ok()) return absl::OkStatus();
  // Read-only pages (a string literal, text): ptrace writes through
  // them as a debugger does, word by word, keeping the bytes around.
  const char* bytes = static_cast<const char*>(data);
  for (size_t done = 0; done < len;) {
    uint64_t aligned = (addr + done) & ~7ull;
    absl::StatusOr<uint64_t> word = ptrace::PeekData(tid, aligned);
    if (!word.ok()) return word.status();
    uint64_t value = *word;
    size_t skip = (addr + done) - aligned;
    size_t take = std::min(len - done, 8 - skip);
    std::memcpy(reinterpret_cast<char*>(&value) + skip, bytes + done, take);
    absl::Status s = ptrace::PokeData(tid, aligned, value);
    if (!s.ok()) return s;
    done += take;
  }
  return absl::OkStatus();
}

absl::StatusOr<TraceeString> ReadTraceeString(pid_t tid, uint64_t addr,
                                              size_t max) {
  TraceeString out;
  std::string buf;
  while (out.value.size() < max) {
    // Never read across a page boundary in one request: the next page may
    // be unmapped even though the string ends before it.
    uint64_t here = addr + out.value.size();
    size_t chunk =
        std::min<uint64_t>(kPage - here % kPage, max - out.value.size());
    buf.resize(chunk);
    absl::StatusOr<size_t> n = ReadSome(tid, here, buf.data(), chunk);
    if (!n.ok()) {
      if (out.value.empty()) return n.status();
      out.truncated = true;
      return out;
    }
    size_t nul = buf.find('\0');
    if (nul != std::string::npos && nul < *n) {
      out.value.append(buf, 0, nul);
      return out;
    }
    out.value.append(buf, 0, *n);
  }
  out.truncated = true;
  return out;
}

}  // namespace sysgate
