// Who decided a call: typed, so reports, the learner and tests read the
// source itself and never parse a string. The text a report shows comes
// from DecisionEngine::RuleText, in one place.
#ifndef SYSGATE_SUPERVISOR_ENGINE_PROVENANCE_H_
#define SYSGATE_SUPERVISOR_ENGINE_PROVENANCE_H_

#include <cstdint>

namespace sysgate {

// sysgate's guards: decisions no policy lifts.
enum class Guard : uint8_t {
  kNone,
  kClone3,          // clone3: ENOSYS (its flags live in memory).
  kCloneUntraced,   // clone with CLONE_UNTRACED: EPERM.
  kOwnListener,     // a seccomp filter with a listener of the program's own.
  kAimedAtSysgate,  // ptrace, process_vm_*, pidfd_open, prlimit64,
                    // perf_event_open of sysgate itself.
  kObservesEveryProcess,  // perf_event_open of a CPU's or a cgroup's
                          // processes: EACCES.
  kX32,                   // an x32 number.
  kUnsupportedAbi,        // a process of an ABI sysgate has no tables for.
  kReservedNumber,        // a number sysgate reserves, called by the program.
  kFilesWithoutPath,      // under a broker policy, a call that reaches files
                          // without a path the broker checks (io_uring...).
  kUnbrokeredAttribute,   // under a broker policy, an attribute call the
                          // broker does not perform yet (the *xattrat
                          // forms, file_[gs]etattr): EOPNOTSUPP.
  kStallsBroker,          // under a broker policy, userfaultfd: EPERM.
  kNewMountNamespace,     // under a broker policy, a mount namespace made or
                          // entered (unshare, clone, setns): EPERM.
  kUnbrokeredPath,        // under a broker policy, i386's oldstat and
                          // oldlstat (glibc never makes them): ENOSYS.
  kUnbrokeredFlags,       // under a broker policy, ioctl FS_IOC_SETFLAGS and
                          // FS_IOC_FSSETXATTR on a held descriptor: EOPNOTSUPP.
  kUncheckedExecImage,    // an exec whose personality or stack could not be
                          // read or decided: killed.
  kSysgateObject,         // a file the broker never hands out (sysgate's own
                          // /proc entries, objects that are not files, device
                          // nodes it would make).
};

struct Provenance {
  enum class Source : uint8_t {
    kRule,           // The policy's rule `index` (Policy::rules).
    kDefault,        // The policy's default.
    kGuard,          // `guard`.
    kInject,         // The --inject spec `index`.
    kHandler,        // The library handler `index`.
    kBrokerGrant,    // The policy's broker rule `index` granted it.
    kBrokerDefault,  // No broker rule granted it.
    kBrokerDeny,     // The policy's `broker deny` rule `index` named it.
    kNoTracer,       // The program's own filter asked for a stop sysgate
                     // has no rule for: ENOSYS, as with no tracer at all.
  };
  Source source = Source::kDefault;
  Guard guard = Guard::kNone;
  int index = -1;

  static Provenance Rule(int i) { return {Source::kRule, Guard::kNone, i}; }
  static Provenance Default() { return {}; }
  static Provenance Of(Guard g) { return {Source::kGuard, g, -1}; }
  static Provenance Inject(int i) { return {Source::kInject, Guard::kNone, i}; }
  static Provenance Handler(int i) {
    return {Source::kHandler, Guard::kNone, i};
  }
  static Provenance Grant(int i) {
    return {Source::kBrokerGrant, Guard::kNone, i};
  }
  static Provenance BrokerDefault() {
    return {Source::kBrokerDefault, Guard::kNone, -1};
  }
  static Provenance BrokerDeny(int i) {
    return {Source::kBrokerDeny, Guard::kNone, i};
  }
  static Provenance NoTracer() { return {Source::kNoTracer, Guard::kNone, -1}; }

  bool operator==(const Provenance& o) const {
    return source == o.source && guard == o.guard && index == o.index;
  }
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_ENGINE_PROVENANCE_H_
