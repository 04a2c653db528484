// sysgate as a library for test harnesses: run a program, or a function in
// a forked child, under a policy, with C++ handlers deciding the calls you
// name. Only those calls stop; everything else runs at kernel speed.
//
//   auto harness = sysgate::Harness::Create().value();
//   int writes = 0;
//   harness->On("write", [&](sysgate::Call& call) {
//     return ++writes == 3 ? sysgate::Decision::Fail(ENOSPC) :
//     sysgate::Decision::Allow();
//   });
//   sysgate::HarnessResult r = harness->RunFunction([] { return WriteReport();
//   }).value();
//
// No global state: several harnesses may run at once, in different
// threads of one process (each waits only for its own children). Handlers
// run on the thread that called Run, while the calling thread of the
// program is stopped. A run is a Session (supervisor/session), as
// `sysgate run` is.
#ifndef SYSGATE_HARNESS_HARNESS_H_
#define SYSGATE_HARNESS_HARNESS_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "arch/abi.h"
#include "filters/policy.h"
#include "supervisor/engine/decision.h"
#include "supervisor/engine/inject_spec.h"
#include "supervisor/report/report.h"

namespace sysgate {

// What a handler returns: sysgate::Decision (supervisor/engine/decision.h),
// made with Decision::Allow() (the policy decides, as without a handler),
// Fail(errno), Return(value), Rewrite(nr, args), RewriteArgs(call, args)
// or Inspect(fn). A rewritten call is decided again, by the policy, as the
// call it became.

// A stopped call, as a handler sees it.
class Call {
 public:
  Call(pid_t pid, pid_t tid, AbiId abi, int nr, std::array<uint64_t, 6> args,
       uint64_t ip);

  pid_t pid() const { return pid_; }
  pid_t tid() const { return tid_; }
  AbiId abi() const { return abi_; }
  int nr() const { return nr_; }
  std::string name() const;
  uint64_t arg(int i) const { return args_[i]; }
  const std::array<uint64_t, 6>& args() const { return args_; }
  // The call as strace would print it.
  std::string Describe() const;

  // The program's memory (process_vm_readv/writev, falling back to ptrace
  // for pages the program cannot read).
  absl::StatusOr<std::string> ReadString(uint64_t addr,
                                         size_t max = 4096) const;
  absl::Status Read(uint64_t addr, void* out, size_t len) const;
  absl::Status Write(uint64_t addr, const void* data, size_t len) const;
  template <typename T>
  absl::Status WriteStruct(uint64_t addr, const T& value) const {
    return Write(addr, &value, sizeof(T));
  }

 private:
  pid_t pid_, tid_;
  AbiId abi_;
  int nr_;
  std::array<uint64_t, 6> args_;
  uint64_t ip_;
};

using Handler = std::function<Decision(Call& call)>;

struct HarnessResult {
  bool exited = false;  // Normally, with exit_code; else killed by `signal`.
  int exit_code = 0;
  int signal = 0;
  std::vector<Event> events;  // Everything sysgate saw, decoded.

  std::vector<Event> violations() const;
};

class Harness {
 public:
  // `policy` in sysgate's policy language; the default allows everything
  // (handlers and sysgate's guards still apply).
  static absl::StatusOr<std::unique_ptr<Harness>> Create(
      absl::string_view policy = "default allow\n");
  // A policy built in code (filters/policy.h).
  static absl::StatusOr<std::unique_ptr<Harness>> Create(Policy policy);

  // Calls named `syscall` stop and `handler` decides them (on every ABI
  // that has the call). A later handler for the same name replaces it.
  Harness& On(absl::string_view syscall, Handler handler);
  // Fault injection in `--inject` syntax (the same engine):
  // "write:error=ENOSPC:when=3".
  absl::Status Inject(absl::string_view spec);
  // Programs started by Run see no vDSO (it is hidden at every exec), so
  // clock_gettime, gettimeofday and time become system calls that
  // handlers can answer. (RunFunction's child does not exec: it keeps the
  // test process's vDSO.)
  Harness& HideVdso();
  // CLOCK_REALTIME, gettimeofday and time start at `start` and run at real
  // speed, as `sysgate run --fake-time`; implies HideVdso.
  Harness& FakeTime(absl::Time start);

  absl::StatusOr<HarnessResult> Run(const std::vector<std::string>& argv,
                                    const std::vector<std::string>& env = {});
  // Runs `fn` in a forked child under the filter; its return value is the
  // exit code. The child is a fork of the test process: keep `fn` to work
  // that is safe after fork.
  absl::StatusOr<HarnessResult> RunFunction(std::function<int()> fn);

 private:
  Harness() = default;
  template <typename Start>
  absl::StatusOr<HarnessResult> RunWith(const Start& start);

  Policy policy_;
  std::vector<std::pair<std::string, Handler>> handlers_;
  std::vector<InjectSpec> injects_;
  bool hide_vdso_ = false;
  absl::optional<absl::Time> fake_time_;
};

}  // namespace sysgate

#endif  // SYSGATE_HARNESS_HARNESS_H_
