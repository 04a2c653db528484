#include "supervisor/fake_time/fake_time.h"

#include <elf.h>
#include <errno.h>
#include <time.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "arch/tracee_memory.h"

namespace sysgate {
namespace {

constexpr int64_t kNsPerSec = 1000000000;

// Clocks that read the wall clock (include/uapi/linux/time.h).
bool IsRealtimeClock(uint64_t clock) {
  return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE ||
         clock == CLOCK_REALTIME_ALARM || clock == CLOCK_TAI;
}

// A (seconds, sub-second) pair in the program's memory: timespec or
// timeval, 32- or 64-bit words.
struct TimeLayout {
  size_t word;      // 4 or 8.
  int64_t per_sec;  // 1e9 for timespec, 1e6 for timeval.
};

absl::Status Shift(pid_t tid, uint64_t addr, TimeLayout layout,
                   int64_t offset_ns) {
  int64_t words[2] = {0, 0};
  if (layout.word == 8) {
    absl::Status s = ReadTraceeMemory(tid, addr, words, 16);
    if (!s.ok()) return s;
  } else {
    int32_t small[2];
    absl::Status s = ReadTraceeMemory(tid, addr, small, 8);
    if (!s.ok()) return s;
    words[0] = small[0];
    words[1] = small[1];
  }
  int64_t unit = kNsPerSec / layout.per_sec;
  int64_t total = words[0] * kNsPerSec + words[1] * unit + offset_ns;
  words[0] = total / kNsPerSec;
  words[1] = (total % kNsPerSec) / unit;
  if (layout.word == 8) return WriteCallResult(tid, addr, words, 16);
  int32_t small[2] = {static_cast<int32_t>(words[0]),
                      static_cast<int32_t>(words[1])};
  return WriteCallResult(tid, addr, small, 8);
}

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec * kNsPerSec + ts.tv_nsec;
}

}  // namespace

FakeTime::FakeTime(absl::Time start, const SyscallAccess& access)
    : offset_ns_(absl::ToUnixNanos(start) - NowNs()), access_(access) {}

absl::StatusOr<absl::Time> FakeTime::Parse(absl::string_view spec) {
  if (!spec.empty() && spec[0] == '@') {
    int64_t seconds;
    if (!absl::SimpleAtoi(spec.substr(1), &seconds)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--fake-time: '", spec, "' is not @SECONDS"));
    }
    return absl::FromUnixSeconds(seconds);
  }
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, spec, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--fake-time: '", spec,
                     "' is neither @SECONDS nor RFC 3339 (", error, ")"));
  }
  return t;
}

std::vector<std::string> FakeTime::Calls() {
  return {"clock_gettime", "clock_gettime64", "gettimeofday", "time"};
}

Decision FakeTime::Decide(const SyscallStop& stop) const {
  Decision d;  // Allow.
  std::string name = GetAbi(stop.abi).Name(stop.nr);
  bool abi32 = GetAbi(stop.abi).word_bits() == 32;
  pid_t tid = stop.tid;
  int64_t offset = offset_ns_;
  if (stop.is_vsyscall()) {
    // No exit stop follows a vsyscall: answer it here (skip with a value,
    // the one change the kernel allows there).
    int64_t now = NowNs() + offset;
    d.kind = Decision::Kind::kReturn;
    // A buffer the caller cannot write fails as the kernel fails it.
    if (name == "time") {
      d.value = now / kNsPerSec;
      if (stop.args[0] && !WriteCallResult(tid, stop.args[0], &d.value, 8).ok())
        d.value = -EFAULT;
    } else {  // gettimeofday (getcpu is not a clock).
      int64_t tv[2] = {now / kNsPerSec, (now % kNsPerSec) / 1000};
      bool written =
          !stop.args[0] || WriteCallResult(tid, stop.args[0], tv, 16).ok();
      d.value = written ? 0 : -EFAULT;
    }
    return d;
  }
  if (name == "clock_gettime" || name == "clock_gettime64") {
    if (!IsRealtimeClock(stop.args[0] & 0xffffffffu)) return d;
    TimeLayout layout = {abi32 && name == "clock_gettime" ? 4u : 8u, kNsPerSec};
    uint64_t tp = stop.args[1];
    d.kind = Decision::Kind::kInspect;
    d.on_return = [tid, tp, layout,
                   offset](int64_t result) -> absl::optional<int64_t> {
      if (result == 0) Shift(tid, tp, layout, offset).IgnoreError();
      return absl::nullopt;
    };
  } else if (name == "gettimeofday") {
    uint64_t tv = stop.args[0];
    if (tv == 0) return d;
    TimeLayout layout = {abi32 ? 4u : 8u, 1000000};
    d.kind = Decision::Kind::kInspect;
    d.on_return = [tid, tv, layout,
                   offset](int64_t result) -> absl::optional<int64_t> {
      if (result == 0) Shift(tid, tv, layout, offset).IgnoreError();
      return absl::nullopt;
    };
  } else if (name == "time") {
    uint64_t tloc = stop.args[0];
    d.kind = Decision::Kind::kInspect;
    d.on_return = [tid, tloc, abi32,
                   offset](int64_t result) -> absl::optional<int64_t> {
      if (result < 0) return absl::nullopt;
      // Whole seconds lose the fraction the offset needs: recompute.
      int64_t shifted = (NowNs() + offset) / kNsPerSec;
      if (tloc) {
        int32_t small = static_cast<int32_t>(shifted);
        WriteCallResult(tid, tloc,
                        abi32 ? static_cast<const void*>(&small) : &shifted,
                        abi32 ? 4 : 8)
            .IgnoreError();
      }
      return shifted;
    };
  }
  return d;
}

absl::Status FakeTime::HideVdso(pid_t tid, const SyscallAccess& access) {
  absl::StatusOr<SyscallAccess::Pointers> p = access.ReadPointers(tid);
  // A process of an ABI sysgate has no tables for makes no call it lets
  // through: its first is refused (PtraceTransport::KillUnsupportedAbi).
  if (IsUnsupportedAbi(p.status())) return absl::OkStatus();
  if (!p.ok()) return p.status();
  size_t word = GetAbi(p->abi).word_bits() / 8;
  // The initial stack (fs/binfmt_elf.c create_elf_tables): argc, argv[]
  // and NULL, envp[] and NULL, then auxv as (type, value) pairs to AT_NULL.
  uint64_t at = p->sp;
  auto read_word = [&](uint64_t addr, uint64_t* out) {
    *out = 0;
    return ReadTraceeMemory(tid, addr, out, word);
  };
  uint64_t argc;
  absl::Status s = read_word(at, &argc);
  if (!s.ok()) return s;
  at += word * (argc + 2);  // argc, argv..., NULL.
  for (uint64_t v = 1; v != 0; at += word) {
    s = read_word(at, &v);
    if (!s.ok()) return s;
  }
  for (int i = 0; i < 64; ++i, at += 2 * word) {
    uint64_t type;
    s = read_word(at, &type);
    if (!s.ok()) return s;
    if (type == AT_NULL) return absl::OkStatus();
    if (type == AT_SYSINFO_EHDR) {
      uint64_t ignore = AT_IGNORE;
      return WriteTraceeMemory(tid, at, &ignore, word);
    }
  }
  return absl::OkStatus();
}

}  // namespace sysgate
