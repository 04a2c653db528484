// `sysgate learn`: watches a run in which every call is allowed but seen,
// and writes the policy that allows exactly what the run used.
//
// A seccomp filter can only ever grow stricter, so a call, once traced,
// stops every time: learning costs one stop per call (one
// PTRACE_GET_SYSCALL_INFO and a PTRACE_CONT each, no decoding).
#ifndef SYSGATE_SUPERVISOR_LEARN_LEARNER_H_
#define SYSGATE_SUPERVISOR_LEARN_LEARNER_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "filters/policy.h"
#include "supervisor/report/report.h"

namespace sysgate {

struct LearnOptions {
  // Also learn argument values where they are stable and safe to express
  // (fcntl commands, socket families, open access modes, prctl options,
  // ioctl requests); never pointers.
  bool args = false;
};

class Learner {
 public:
  explicit Learner(LearnOptions options) : options_(options) {}

  // The policy to run under while learning: every call of every ABI `log`.
  static Policy LearningPolicy();

  // Feeds one event; only `log` events of calls count.
  void Observe(const Event& event);
  // Adds what an earlier learned policy (or any policy) allows.
  void Merge(const Policy& policy, const std::string& from);

  std::string ToPolicyText(const std::string& header) const;
  std::string ToOciProfile() const;

 private:
  struct Learned {
    std::set<AbiId> abis;
    uint64_t count = 0;
    std::string first_caller;  // "/usr/bin/ls (pid 12)" or "FILE" for merges.
    bool any_value = false;  // A value was too varied or unknown: no condition.
    std::set<uint64_t> values;  // Of the learned parameter, masked.
  };
  void Unconditional(Learned& l) const;

  LearnOptions options_;
  std::map<std::string, Learned> calls_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_LEARN_LEARNER_H_
