// Every thread sysgate traces, by tid, with the little state a stop needs.
// Lookups are O(1); nothing iterates the table per event.
#ifndef SYSGATE_SUPERVISOR_TRACEE_TABLE_H_
#define SYSGATE_SUPERVISOR_TRACEE_TABLE_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/types/optional.h"
#include "arch/abi.h"

namespace sysgate {

struct Tracee {
  pid_t tid = 0;
  pid_t tgid = 0;
  // Set when a stop resumed with PTRACE_SYSCALL to see the call's exit:
  // it gets the call's result there, and a value it returns replaces it.
  std::function<absl::optional<int64_t>(int64_t)> at_syscall_exit;
  AbiId abi_at_exit = AbiId::kX86_64;  // That call's ABI.
  // Invocations per (inject rule, syscall number), as strace counts them.
  absl::flat_hash_map<uint64_t, uint64_t> inject_counts;

  uint64_t CountInvocation(int rule, int nr) {
    return ++inject_counts[(static_cast<uint64_t>(rule) << 32) |
                           static_cast<uint32_t>(nr)];
  }
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
  void RemoveOtherThreads(pid_t tgid, pid_t keep) {
    auto group = threads_.find(tgid);
    if (group == threads_.end()) return;
    std::vector<pid_t> gone;
    for (pid_t tid : group->second) {
      if (tid != keep) gone.push_back(tid);
    }
    for (pid_t tid : gone) Remove(tid);
  }
  bool empty() const { return tracees_.empty(); }
  size_t size() const { return tracees_.size(); }

 private:
  absl::flat_hash_map<pid_t, Tracee> tracees_;
  absl::flat_hash_map<pid_t, absl::flat_hash_set<pid_t>> threads_;  // By tgid.
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_TRACEE_TABLE_H_
