// Every thread sysgate traces, by tid, with the little state a stop needs.
// Lookups are O(1); nothing iterates the table per event.
#ifndef SYSGATE_SUPERVISOR_LOOP_TRACEE_TABLE_H_
#define SYSGATE_SUPERVISOR_LOOP_TRACEE_TABLE_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "arch/abi.h"
#include "supervisor/engine/decision.h"
#include "supervisor/engine/decision_engine.h"

namespace sysgate {

struct Tracee {
  pid_t tid = 0;
  pid_t tgid = 0;
  // Set when a stop resumed with PTRACE_SYSCALL to see the call's exit:
  // the hook gets the call's result there (a value it returns replaces
  // it), and the thread then waits `exit_delay` before it returns.
  Decision::ResultHook at_syscall_exit;
  AbiId abi_at_exit = AbiId::kX86_64;  // That call's ABI.
  absl::Duration exit_delay;
  InjectCounts inject_counts;
  // A trap decided at a TRACE stop redirects the call to the reserved trap
  // number; the SIGSYS that follows is made to name the call itself.
  struct RedirectedTrap {
    int nr;
    uint16_t data;                 // The RET_DATA its rule has: its si_errno.
    bool number_restored = false;  // The rolled-back register holds `nr`.
  };
  absl::optional<RedirectedTrap> redirected_trap;
  // Non-zero while the thread waits for a timed resume (EventLoop).
  uint64_t parked = 0;
};

class TraceeTable {
 public:
  Tracee& Add(pid_t tid, pid_t tgid) {
    Tracee& t = tracees_[tid];
    t.tid = tid;
    t.tgid = tgid;
    threads_[tgid].insert(tid);
    return t;
  }
  Tracee* Find(pid_t tid) {
    auto it = tracees_.find(tid);
    return it == tracees_.end() ? nullptr : &it->second;
  }
  void Remove(pid_t tid) {
    auto it = tracees_.find(tid);
    if (it == tracees_.end()) return;
    auto group = threads_.find(it->second.tgid);
    if (group != threads_.end()) {
      group->second.erase(tid);
      if (group->second.empty()) threads_.erase(group);
    }
    tracees_.erase(it);
  }
  // After an exec the other threads of the process are gone without a
  // word to the tracer (ptrace(2), "execve(2) under ptrace"). Costs the
  // number of threads of that one process.
  //
  // A thread other than the leader that execs takes the leader's tid
  // (`keep`), so the entry it keeps is the old leader's: everything that
  // was about the old leader's call (a timed resume it waited for, a hook
  // for its call's exit) is dropped, and the thread that exec'd keeps what
  // was its own (its --inject counts).
  void ExecBy(pid_t tgid, pid_t former, pid_t keep) {
    Tracee* old = Find(former);
    InjectCounts counts;
    if (former != keep && old != nullptr)
      counts = std::move(old->inject_counts);
    RemoveOtherThreads(tgid, keep);
    if (former == keep) return;
    Tracee& t = tracees_[keep];
    t = Tracee();
    t.tid = keep;
    t.tgid = tgid;
    t.inject_counts = std::move(counts);
  }

  void RemoveOtherThreads(pid_t tgid, pid_t keep) {
    auto group = threads_.find(tgid);
    if (group == threads_.end()) return;
    std::vector<pid_t> gone;
    for (pid_t tid : group->second) {
      if (tid != keep) gone.push_back(tid);
    }
    for (pid_t tid : gone) Remove(tid);
  }
  // Every process with a thread here (by tgid).
  std::vector<pid_t> Processes() const {
    std::vector<pid_t> out;
    for (const auto& [tgid, threads] : threads_) out.push_back(tgid);
    return out;
  }
  bool empty() const { return tracees_.empty(); }
  size_t size() const { return tracees_.size(); }

 private:
  absl::flat_hash_map<pid_t, Tracee> tracees_;
  absl::flat_hash_map<pid_t, absl::flat_hash_set<pid_t>> threads_;  // By tgid.
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_LOOP_TRACEE_TABLE_H_
