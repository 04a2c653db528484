// --fake-time: CLOCK_REALTIME (and gettimeofday, time) starts at a chosen
// instant and advances at real speed; CLOCK_MONOTONIC and the other clocks
// are untouched. No LD_PRELOAD, so static binaries are covered too:
//   - at every exec stop the new image's aux vector entry AT_SYSINFO_EHDR
//     becomes AT_IGNORE, so libc finds no vDSO and its clock functions make
//     real system calls;
//   - those calls run, and their realtime results are shifted at the
//     syscall-exit stop;
//   - calls through the x86-64 vsyscall page get no exit stop (and may only
//     be skipped), so they are answered at entry.
// What still bypasses: a program that reads the vDSO's address elsewhere
// (/proc/self/maps) and calls into it, and the rdtsc instruction.
#ifndef SYSGATE_SUPERVISOR_FAKE_TIME_FAKE_TIME_H_
#define SYSGATE_SUPERVISOR_FAKE_TIME_FAKE_TIME_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "arch/syscall_access.h"
#include "arch/syscall_stop.h"
#include "supervisor/engine/decision.h"

namespace sysgate {

class FakeTime {
 public:
  // `start` is what CLOCK_REALTIME reads now.
  FakeTime(absl::Time start, const SyscallAccess& access);

  // "@SECONDS" (since the epoch) or RFC 3339 ("2000-01-01T00:00:00Z").
  static absl::StatusOr<absl::Time> Parse(absl::string_view spec);
  // The calls to hand to Decide.
  static std::vector<std::string> Calls();

  Decision Decide(const SyscallStop& stop) const;
  // At an exec stop: hides the vDSO from the new image.
  absl::Status OnExec(pid_t tid) const { return HideVdso(tid, access_); }
  // The same, on its own (the library's Harness::HideVdso): afterwards
  // clock_gettime, gettimeofday, time and getcpu are real system calls.
  static absl::Status HideVdso(pid_t tid, const SyscallAccess& access);

 private:
  int64_t offset_ns_;  // Fake minus real.
  const SyscallAccess& access_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_FAKE_TIME_FAKE_TIME_H_
