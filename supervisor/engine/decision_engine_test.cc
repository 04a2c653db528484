#include "supervisor/engine/decision_engine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <unistd.h>

#include "filters/interpreter.h"
#include "filters/parser.h"
#include "gtest/gtest.h"
#include "supervisor/engine/brokered_calls.h"
#include "supervisor/engine/guards.h"
#include "supervisor/engine/reserved.h"

namespace sysgate {
namespace {

constexpr int kGetuid = 102, kGetppid = 110, kChdir = 80, kOpenat = 257,
              kClose = 3, kClone = 56, kNewfstatat = 262;

struct EngineOptions {
  bool report = true;
  std::vector<std::string> injects;
  std::vector<HandlerSpec> handlers;
  bool notify_emulation = true;
};

std::unique_ptr<DecisionEngine> Engine(const std::string& text,
                                       EngineOptions options) {
  absl::StatusOr<Policy> p = ParsePolicy(text, "e.policy");
  EXPECT_TRUE(p.ok()) << p.status();
  EngineConfig config;
  config.policy = *p;
  for (const std::string& i : options.injects)
    config.injects.push_back(*ParseInjectSpec(i));
  config.handlers = options.handlers;
  config.abis = {AbiId::kX86_64, AbiId::kI386};
  config.report_denials = options.report;
  config.notify_emulation = options.notify_emulation;
  absl::StatusOr<std::unique_ptr<DecisionEngine>> e =
      DecisionEngine::Create(config);
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(*e);
}

std::unique_ptr<DecisionEngine> Engine(const std::string& text,
                                       bool report = true) {
  EngineOptions options;
  options.report = report;
  return Engine(text, options);
}

uint32_t RunBpf(const BpfProgram& filter, uint32_t arch, int nr,
                std::array<uint64_t, 6> args = {}) {
  seccomp_data d{};
  d.arch = arch;
  d.nr = nr;
  for (int i = 0; i < 6; ++i) d.args[i] = args[i];
  return RunFilter(filter, d)->ret;
}

uint32_t Filter(const DecisionEngine& e, uint32_t arch, int nr,
                uint64_t arg0 = 0) {
  return RunBpf(e.filter(), arch, nr, {arg0});
}

uint32_t Notified(const DecisionEngine& e, int nr,
                  std::array<uint64_t, 6> args = {}) {
  if (!e.notify_filter()) return SECCOMP_RET_ALLOW;
  return RunBpf(*e.notify_filter(), AUDIT_ARCH_X86_64, nr, args);
}

SyscallStop Stop(int nr, uint32_t data, AbiId abi = AbiId::kX86_64) {
  SyscallStop s;
  s.tid = getpid();
  s.abi = abi;
  s.nr = nr;
  s.ret_data = data;
  return s;
}

Decision At(const DecisionEngine& e, const SyscallStop& stop) {
  InjectCounts counts;
  return e.DecideStop(stop, getpid(), counts);
}

TEST(DecisionEngineTest, InvocationsCountPerRuleAndSyscall) {
  InjectCounts t;
  EXPECT_EQ(CountInvocation(t, 0, 80), 1u);
  EXPECT_EQ(CountInvocation(t, 0, 80), 2u);
  EXPECT_EQ(CountInvocation(t, 0, 81), 1u);
  EXPECT_EQ(CountInvocation(t, 1, 80), 1u);
}

TEST(DecisionEngineTest, DenialsStopOnlyWhenReported) {
  auto quiet = Engine("errno(EPERM) getuid\n", false);
  EXPECT_EQ(Filter(*quiet, AUDIT_ARCH_X86_64, kGetuid),
            SECCOMP_RET_ERRNO | EPERM);
  auto loud = Engine("errno(EPERM) getuid\n", true);
  EXPECT_EQ(Filter(*loud, AUDIT_ARCH_X86_64, kGetuid) & SECCOMP_RET_ACTION_FULL,
            SECCOMP_RET_TRACE);
}

TEST(DecisionEngineTest, GuardsComeBeforeThePolicy) {
  auto e = Engine("allow clone, clone3\n");
  // clone3 (435) fails quietly in the kernel: libc falls back to clone.
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, 435), SECCOMP_RET_ERRNO | ENOSYS);
  // clone with CLONE_UNTRACED stops (reported), without it runs.
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, kClone, 0x00800000 | 17) &
                SECCOMP_RET_ACTION_FULL,
            SECCOMP_RET_TRACE);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, kClone, 17), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_I386, 120, 0x00800000),
            SECCOMP_RET_TRACE | 1);
  SyscallStop untraced = Stop(kClone, 1);
  untraced.args[0] = 0x00800000 | 17;
  Decision d = At(*e, untraced);
  EXPECT_EQ(d.kind, Decision::Kind::kFail);
  EXPECT_EQ(d.value, EPERM);
  EXPECT_EQ(d.by, Provenance::Of(Guard::kCloneUntraced));
  EXPECT_EQ(d.report, Report::kViolation);
  EXPECT_EQ(e->RuleText(d.by), "sysgate guard");
}

TEST(DecisionEngineTest, NoListenerOfTheProgramsOwn) {
  auto e = Engine("default allow\n");
  // seccomp (317): SET_MODE_FILTER (1) with NEW_LISTENER (8) is refused.
  EXPECT_EQ(RunBpf(e->filter(), AUDIT_ARCH_X86_64, 317, {1, 8}) &
                SECCOMP_RET_ACTION_FULL,
            SECCOMP_RET_TRACE);
  EXPECT_EQ(RunBpf(e->filter(), AUDIT_ARCH_X86_64, 317, {1, 0}),
            SECCOMP_RET_ALLOW);
}

TEST(DecisionEngineTest, CallsReachingAProcessStopAndThenFallToThePolicy) {
  auto e = Engine("errno(EACCES) process_vm_writev\n", false);
  // ptrace, process_vm_*, pidfd_open, prlimit64, perf_event_open: with a
  // pid (ptrace's and perf_event_open's is their second argument), not with
  // 0 (the caller itself, or no one).
  for (int nr : {101, 310, 311, 434, 302, 298}) {
    EXPECT_EQ(RunBpf(e->filter(), AUDIT_ARCH_X86_64, nr, {1234, 1234}) &
                  SECCOMP_RET_ACTION_FULL,
              SECCOMP_RET_TRACE)
        << nr;
    EXPECT_NE(RunBpf(e->filter(), AUDIT_ARCH_X86_64, nr, {0, 0}) &
                  SECCOMP_RET_ACTION_FULL,
              SECCOMP_RET_TRACE)
        << nr;
    SyscallStop at_us = Stop(nr, 4);
    at_us.args = {static_cast<uint64_t>(getpid()),
                  static_cast<uint64_t>(getpid())};
    Decision guard = At(*e, at_us);
    EXPECT_EQ(guard.by, Provenance::Of(Guard::kAimedAtSysgate)) << nr;
    EXPECT_EQ(guard.kind, Decision::Kind::kFail);
    EXPECT_EQ(guard.value, EPERM);
    EXPECT_EQ(e->RuleText(guard.by), "sysgate guard");
  }
  // prlimit64 and perf_event_open go on only for a thread sysgate traces:
  // pid 1 is none (neither is anything in this test).
  for (int nr : {302, 298}) {
    SyscallStop elsewhere = Stop(nr, 4);
    elsewhere.args = {1, 1};
    Decision refused = At(*e, elsewhere);
    EXPECT_EQ(refused.by, Provenance::Of(Guard::kAimedAtSysgate)) << nr;
    EXPECT_EQ(refused.value, EPERM) << nr;
  }
  // Aimed at a process that is not sysgate's (pid 1 always exists).
  SyscallStop ptrace = Stop(101, 4);
  ptrace.args = {16, 1};  // PTRACE_ATTACH.
  EXPECT_EQ(GuardTarget(ptrace), 1);
  SyscallStop vm_write = Stop(311, 4);
  vm_write.args = {1};
  EXPECT_EQ(GuardTarget(vm_write), 1);
  Decision policy = At(*e, vm_write);
  EXPECT_EQ(policy.kind, Decision::Kind::kFail);
  EXPECT_EQ(policy.value, EACCES);
  EXPECT_EQ(policy.by, Provenance::Rule(0));
  EXPECT_EQ(At(*e, ptrace).kind, Decision::Kind::kAllow);
  // An id no thread has (above any pid_max, so none ever will here) may be
  // sysgate's next thread's by the time the call runs: ESRCH, as the
  // kernel says, from the guard, whatever the policy.
  for (int nr : {101, 310, 311, 434, 302, 298}) {
    SyscallStop nobody = Stop(nr, 4);
    nobody.args = {16, 1 << 30};
    if (nr != 101 && nr != 298) nobody.args[0] = 1 << 30;
    Decision free_id = At(*e, nobody);
    EXPECT_EQ(free_id.by, Provenance::Of(Guard::kAimedAtSysgate)) << nr;
    EXPECT_EQ(free_id.kind, Decision::Kind::kFail) << nr;
    EXPECT_EQ(free_id.value, ESRCH) << nr;
  }
  // PTRACE_TRACEME never reads its pid (glibc passes whatever is there).
  SyscallStop traceme = Stop(101, 4);
  traceme.args = {0, 1 << 30};
  EXPECT_EQ(At(*e, traceme).kind, Decision::Kind::kAllow);
}

// A perf event on every process of a CPU or of a cgroup would sample
// sysgate too: refused by the filter itself, whatever the policy allows.
// pid is an int: the kernel never sees the register's upper half.
TEST(DecisionEngineTest, PerfEventsOnEveryProcessAreRefused) {
  auto e = Engine("default allow\n", false);
  constexpr int kPerfEventOpen = 298;
  for (uint64_t pid : {0xffffffffull, ~0ull, 0x12345678ffffffffull}) {
    EXPECT_EQ(RunBpf(e->filter(), AUDIT_ARCH_X86_64, kPerfEventOpen,
                     {0, pid, 0, ~0ull, 0}),
              SECCOMP_RET_ERRNO | EACCES)
        << pid;
  }
  // PERF_FLAG_PID_CGROUP: pid is a cgroup's descriptor.
  EXPECT_EQ(RunBpf(e->filter(), AUDIT_ARCH_X86_64, kPerfEventOpen,
                   {0, 3, 0, ~0ull, 4}),
            SECCOMP_RET_ERRNO | EACCES);
  // The caller itself, on any CPU: the policy's.
  EXPECT_EQ(RunBpf(e->filter(), AUDIT_ARCH_X86_64, kPerfEventOpen,
                   {0, 0, 0xffffffff, ~0ull, 0}),
            SECCOMP_RET_ALLOW);
  // -2 names no process (ESRCH from the kernel): not everyone's either.
  EXPECT_EQ(RunBpf(e->filter(), AUDIT_ARCH_X86_64, kPerfEventOpen,
                   {0, 0xfffffffe, 0, ~0ull, 0}) &
                SECCOMP_RET_ACTION_FULL,
            SECCOMP_RET_TRACE);
}

TEST(DecisionEngineTest, KillNumbersAreKilledByTheFilter) {
  auto e = Engine("default allow\n", false);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, NrOf(ReservedNr::kKillProcess)),
            SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_I386, NrOf(ReservedNr::kKillThread)),
            SECCOMP_RET_KILL_THREAD);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, NrOf(ReservedNr::kTrap)),
            SECCOMP_RET_TRAP | DataOf(RetData::kReportedTrap));
}

TEST(DecisionEngineTest, DecideRecognisesOurStopsAndForeignOnes) {
  EngineOptions options;
  options.notify_emulation = false;
  auto e = Engine("emulate(5) getuid\nallow getppid\n", options);
  // Entries 0-4 are the guards, 5 the emulate rule, 6 the allow rule.
  Decision ours = At(*e, Stop(kGetuid, 5));
  EXPECT_EQ(ours.by, Provenance::Rule(0));
  EXPECT_EQ(ours.kind, Decision::Kind::kReturn);
  EXPECT_EQ(ours.value, 5);
  EXPECT_EQ(ours.report, Report::kEmulate);
  EXPECT_FALSE(ours.foreign);
  // The program's own filter asked (other data) for a call we have a rule
  // for: our rule decides.
  Decision foreign_ruled = At(*e, Stop(kGetppid, 0x1234));
  EXPECT_EQ(foreign_ruled.by, Provenance::Rule(1));
  EXPECT_EQ(foreign_ruled.kind, Decision::Kind::kAllow);
  EXPECT_TRUE(foreign_ruled.foreign);
  // ...and for one we have none: as if no tracer were attached.
  Decision none = At(*e, Stop(39, 0x1234));
  EXPECT_EQ(none.by.source, Provenance::Source::kNoTracer);
  EXPECT_EQ(none.kind, Decision::Kind::kFail);
  EXPECT_EQ(none.value, ENOSYS);
  EXPECT_EQ(none.report, Report::kForeign);
  EXPECT_EQ(e->RuleText(Provenance::Rule(0)), "e.policy:1");
  EXPECT_EQ(e->RuleText(Provenance::Default()), "default");
}

TEST(DecisionEngineTest, InjectsComeFirstAndFallThroughToThePolicy) {
  EngineOptions options;
  options.injects = {"chdir:error=ENOENT:when=2"};
  auto e = Engine("errno(EACCES) chdir\n", options);
  InjectCounts counts;
  auto decide = [&] { return e->DecideStop(Stop(kChdir, 0), 1, counts); };
  Decision first = decide();
  EXPECT_EQ(first.kind, Decision::Kind::kFail);
  EXPECT_EQ(first.value, EACCES);
  EXPECT_EQ(first.by, Provenance::Rule(0));
  EXPECT_FALSE(first.injected);
  Decision second = decide();
  EXPECT_EQ(second.value, ENOENT);
  EXPECT_EQ(second.by, Provenance::Inject(0));
  EXPECT_EQ(second.injected, 0);
  EXPECT_EQ(e->RuleText(second.by), "--inject=chdir:error=ENOENT:when=2");
  EXPECT_EQ(decide().value, EACCES);
}

// An injection that lets the call run (signal=, a delay) does not lift the
// guards or the policy: a hostile program's CLONE_UNTRACED still fails.
TEST(DecisionEngineTest, AnInjectionThatRunsTheCallKeepsTheGuards) {
  EngineOptions options;
  options.injects = {"clone:signal=USR1:delay_enter=1ms"};
  auto e = Engine("default allow\n", options);
  SyscallStop untraced = Stop(kClone, 0);
  untraced.args[0] = 0x00800000 | 17;
  Decision d = At(*e, untraced);
  EXPECT_EQ(d.kind, Decision::Kind::kFail);
  EXPECT_EQ(d.value, EPERM);
  EXPECT_EQ(d.by, Provenance::Of(Guard::kCloneUntraced));
  EXPECT_EQ(d.injected, 0);
  EXPECT_EQ(d.signal, 10);
  EXPECT_EQ(d.delay_enter, absl::Milliseconds(1));
  SyscallStop plain = Stop(kClone, 0);
  plain.args[0] = 17;
  EXPECT_EQ(At(*e, plain).kind, Decision::Kind::kAllow);
}

// A rewrite is decided again as the call it becomes.
TEST(DecisionEngineTest, RewritesAreDecidedAsTheNewCall) {
  EngineOptions options;
  options.handlers = {{"getuid", [](const SyscallStop& stop, pid_t) {
                         return Decision::Rewrite(kGetppid, stop.args);
                       }}};
  options.injects = {"chdir:syscall=getppid"};
  auto e = Engine("errno(EPERM) getppid\n", options);
  Decision handled = At(*e, Stop(kGetuid, 1));
  EXPECT_EQ(handled.kind, Decision::Kind::kFail);
  EXPECT_EQ(handled.value, EPERM);
  EXPECT_EQ(handled.by, Provenance::Rule(0));
  Decision injected = At(*e, Stop(kChdir, 0));
  EXPECT_EQ(injected.kind, Decision::Kind::kFail);
  EXPECT_EQ(injected.by, Provenance::Rule(0));
  auto open = Engine("default allow\n", options);
  Decision allowed = At(*open, Stop(kGetuid, 1));
  EXPECT_EQ(allowed.kind, Decision::Kind::kRewrite);
  EXPECT_EQ(allowed.nr, kGetppid);
  EXPECT_EQ(allowed.by, Provenance::Handler(0));
  EXPECT_EQ(open->RuleText(allowed.by), "handler for getuid");
}

constexpr char kBrokerPolicy[] =
    "default allow\n"
    "kill openat if (flags & O_ACCMODE) == O_WRONLY\n"
    "broker read /**\n"
    "broker write /tmp/**\n";

// The first example: the policy's kill comes first, whatever the
// reporting mode; the broker serves only what the policy allows.
TEST(DecisionEngineTest, ABrokerGrantRefinesOnlyWhatThePolicyAllows) {
  for (bool report : {false, true}) {
    auto e = Engine(kBrokerPolicy, report);
    std::array<uint64_t, 6> write = {static_cast<uint64_t>(AT_FDCWD), 0,
                                     O_WRONLY | O_CREAT, 0666};
    std::array<uint64_t, 6> read = {static_cast<uint64_t>(AT_FDCWD), 0,
                                    O_RDONLY};
    EXPECT_EQ(RunBpf(e->filter(), AUDIT_ARCH_X86_64, kOpenat, write) &
                  SECCOMP_RET_ACTION_FULL,
              report ? SECCOMP_RET_TRACE : SECCOMP_RET_KILL_PROCESS);
    EXPECT_EQ(Notified(*e, kOpenat, write), SECCOMP_RET_ALLOW);
    EXPECT_EQ(RunBpf(e->filter(), AUDIT_ARCH_X86_64, kOpenat, read),
              SECCOMP_RET_ALLOW);
    EXPECT_EQ(Notified(*e, kOpenat, read), SECCOMP_RET_USER_NOTIF);
    // The default allows newfstatat: the broker's too.
    EXPECT_EQ(Notified(*e, kNewfstatat), SECCOMP_RET_USER_NOTIF);
    SyscallStop call = Stop(kOpenat, 0);
    call.args = read;
    Decision d = e->DecideNotified(call, 1);
    EXPECT_EQ(d.kind, Decision::Kind::kBroker);
    EXPECT_EQ(d.brokered, FindBrokeredCall("openat"));
    EXPECT_EQ(d.by, Provenance::Default());
    SyscallStop stopped = Stop(kOpenat, 4);
    stopped.args = write;
    if (report) {
      Decision killed = At(*e, stopped);
      EXPECT_EQ(killed.kind, Decision::Kind::kKillProcess);
      EXPECT_EQ(killed.by, Provenance::Rule(0));
      EXPECT_EQ(killed.report, Report::kViolation);
    }
  }
}

// --inject on a brokered call stops at ptrace; an invocation it passes
// over is the broker's, as the policy says.
TEST(DecisionEngineTest, InjectionsReachBrokeredCalls) {
  EngineOptions options;
  options.injects = {"openat:error=ENOENT:when=2"};
  auto e = Engine("broker read /**\n", options);
  std::array<uint64_t, 6> read = {static_cast<uint64_t>(AT_FDCWD), 0, O_RDONLY};
  EXPECT_EQ(RunBpf(e->filter(), AUDIT_ARCH_X86_64, kOpenat, read),
            SECCOMP_RET_TRACE | 0);
  EXPECT_EQ(Notified(*e, kOpenat, read), SECCOMP_RET_ALLOW);
  InjectCounts counts;
  SyscallStop stop = Stop(kOpenat, 0);
  stop.args = read;
  Decision first = e->DecideStop(stop, 1, counts);
  EXPECT_EQ(first.kind, Decision::Kind::kBroker);
  EXPECT_EQ(first.nr, kOpenat);
  Decision second = e->DecideStop(stop, 1, counts);
  EXPECT_EQ(second.kind, Decision::Kind::kFail);
  EXPECT_EQ(second.value, ENOENT);
  // A hand-off is notified; the main filter lets it through to that.
  EXPECT_EQ(Notified(*e, HandoffNr(kOpenat)), SECCOMP_RET_USER_NOTIF);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, HandoffNr(kOpenat)),
            SECCOMP_RET_ALLOW);
}

// The launcher's own calls are never notified (its listener is not served
// yet when it makes them): an emulate rule on one is a ptrace stop.
TEST(DecisionEngineTest, LauncherCallsAreNeverNotified) {
  auto e = Engine("emulate(3) close, getuid\n");
  EXPECT_EQ(Notified(*e, kClose), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, kClose) & SECCOMP_RET_ACTION_FULL,
            SECCOMP_RET_TRACE);
  EXPECT_EQ(Notified(*e, kGetuid), SECCOMP_RET_USER_NOTIF);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, kGetuid), SECCOMP_RET_ALLOW);
  uint32_t data = Filter(*e, AUDIT_ARCH_X86_64, kClose) & SECCOMP_RET_DATA;
  Decision d = At(*e, Stop(kClose, data));
  EXPECT_EQ(d.kind, Decision::Kind::kReturn);
  EXPECT_EQ(d.value, 3);
  EXPECT_FALSE(d.foreign);
}

// For every call, at most one of the two filters returns anything but
// ALLOW, so the kernel's precedence between them never decides; and what
// each filter returns is what the engine then decides at that transport.
TEST(DecisionEngineTest, FiltersNeverCompete) {
  const char* policies[] = {
      kBrokerPolicy,
      "default errno(EPERM)\nallow read, write, openat\nbroker read /usr/**\n",
      "default allow\nemulate(1) getuid\nlog openat\naudit newfstatat\n"
      "trap chdir\nkill-thread fchdir\nerrno(EACCES) execve\n"
      "broker read /**\nbroker exec /usr/bin/*\n",
      "default log\nallow mprotect if (prot & PROT_EXEC) == 0\nbroker read "
      "/**\n",
      "default emulate(0)\nallow execve, exit_group\n",
  };
  std::vector<std::array<uint64_t, 6>> samples = {
      {}, {0, 0, O_WRONLY}, {1, 4, O_RDWR}, {~0ull, 7, 3}};
  for (const char* text : policies) {
    for (bool report : {false, true}) {
      EngineOptions options;
      options.report = report;
      options.injects = {"getppid:retval=1"};
      auto e = Engine(text, options);
      for (AbiId abi : {AbiId::kX86_64, AbiId::kI386}) {
        uint32_t arch = GetAbi(abi).audit_arch();
        for (int nr = 0; nr < 520; ++nr) {
          for (const auto& args : samples) {
            uint32_t main = RunBpf(e->filter(), arch, nr, args);
            uint32_t notify = e->notify_filter()
                                  ? RunBpf(*e->notify_filter(), arch, nr, args)
                                  : SECCOMP_RET_ALLOW;
            ASSERT_TRUE(main == SECCOMP_RET_ALLOW ||
                        notify == SECCOMP_RET_ALLOW)
                << text << " nr " << nr;
            SyscallStop call = Stop(nr, main & SECCOMP_RET_DATA, abi);
            call.args = args;
            if (notify == SECCOMP_RET_USER_NOTIF) {
              Decision d = e->DecideNotified(call, 1);
              EXPECT_TRUE(d.kind == Decision::Kind::kBroker ||
                          d.kind == Decision::Kind::kReturn)
                  << text << " nr " << nr;
            }
            if ((main & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRACE) {
              EXPECT_FALSE(At(*e, call).foreign) << text << " nr " << nr;
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace sysgate
