#include "supervisor/policy_engine.h"

#include <errno.h>
#include <linux/audit.h>

#include "filters/interpreter.h"
#include "filters/parser.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

std::unique_ptr<PolicyEngine> Engine(
    const std::string& text, bool trace_denials,
    const std::vector<std::string>& injects = {}) {
  absl::StatusOr<Policy> p = ParsePolicy(text, "e.policy");
  EXPECT_TRUE(p.ok()) << p.status();
  std::vector<InjectSpec> specs;
  for (const std::string& i : injects) specs.push_back(*ParseInjectSpec(i));
  EngineOptions options;
  options.abis = {AbiId::kX86_64, AbiId::kI386};
  options.routing.trace_denials = trace_denials;
  absl::StatusOr<std::unique_ptr<PolicyEngine>> e =
      PolicyEngine::Create(*p, specs, options);
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(*e);
}

uint32_t Filter(const PolicyEngine& e, uint32_t arch, int nr,
                uint64_t arg0 = 0) {
  seccomp_data d{};
  d.arch = arch;
  d.nr = nr;
  d.args[0] = arg0;
  return RunFilter(e.filter(), d)->ret;
}

SyscallStop Stop(int nr, uint32_t data, AbiId abi = AbiId::kX86_64) {
  SyscallStop s;
  s.abi = abi;
  s.nr = nr;
  s.ret_data = data;
  return s;
}

TEST(PolicyEngineTest, DenialsStopOnlyWhenReported) {
  auto quiet = Engine("errno(EPERM) getuid\n", false);
  EXPECT_EQ(Filter(*quiet, AUDIT_ARCH_X86_64, 102), SECCOMP_RET_ERRNO | EPERM);
  auto loud = Engine("errno(EPERM) getuid\n", true);
  EXPECT_EQ(Filter(*loud, AUDIT_ARCH_X86_64, 102) & SECCOMP_RET_ACTION_FULL,
            SECCOMP_RET_TRACE);
}

TEST(PolicyEngineTest, GuardsComeBeforeThePolicy) {
  auto e = Engine("allow clone, clone3\n", true);
  // clone3 (435) fails quietly in the kernel: libc falls back to clone.
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, 435), SECCOMP_RET_ERRNO | ENOSYS);
  // clone with CLONE_UNTRACED stops (reported), without it runs.
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, 56, 0x00800000 | 17) &
                SECCOMP_RET_ACTION_FULL,
            SECCOMP_RET_TRACE);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, 56, 17), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_I386, 120, 0x00800000),
            SECCOMP_RET_TRACE | 1);
}

TEST(PolicyEngineTest, NoListenerOfTheProgramsOwn) {
  auto e = Engine("default allow\n", true);
  // seccomp (317): SET_MODE_FILTER (1) with NEW_LISTENER (8) is refused.
  seccomp_data d{};
  d.arch = AUDIT_ARCH_X86_64;
  d.nr = 317;
  d.args[0] = 1;
  d.args[1] = 8;
  EXPECT_EQ(RunFilter(e->filter(), d)->ret & SECCOMP_RET_ACTION_FULL,
            SECCOMP_RET_TRACE);
  d.args[1] = 0;
  EXPECT_EQ(RunFilter(e->filter(), d)->ret, SECCOMP_RET_ALLOW);
}

TEST(PolicyEngineTest, CallsReachingAProcessStopAndThenFallToThePolicy) {
  auto e = Engine("errno(EACCES) process_vm_writev\n", false);
  for (int nr : {101, 310, 311, 434}) {  // ptrace, process_vm_*, pidfd_open.
    Verdict guard = e->Decide(Stop(nr, 3));
    ASSERT_TRUE(e->IsSelfGuard(guard.rule)) << nr;
    EXPECT_EQ(e->RuleName(guard.rule), "sysgate guard");
    EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, nr) & SECCOMP_RET_ACTION_FULL,
              SECCOMP_RET_TRACE);
  }
  SyscallStop ptrace = Stop(101, 3);
  ptrace.args = {16, 4321};  // PTRACE_ATTACH.
  EXPECT_EQ(e->SelfGuardTarget(ptrace), 4321);
  SyscallStop vm_write = Stop(311, 3);
  vm_write.args = {1234};
  EXPECT_EQ(e->SelfGuardTarget(vm_write), 1234);
  Verdict policy = e->DecidePast(vm_write, 3);
  EXPECT_EQ(policy.action.kind, Action::Kind::kErrno);
  EXPECT_EQ(policy.action.value, EACCES);
  EXPECT_EQ(e->DecidePast(ptrace, 3).action.kind, Action::Kind::kAllow);
}

TEST(PolicyEngineTest, KillNumbersAreKilledByTheFilter) {
  auto e = Engine("default allow\n", false);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, kKillProcessNr),
            SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_I386, kKillThreadNr),
            SECCOMP_RET_KILL_THREAD);
  EXPECT_EQ(Filter(*e, AUDIT_ARCH_X86_64, kTrapNr),
            SECCOMP_RET_TRAP | kReportedTrapData);
}

TEST(PolicyEngineTest, DecideRecognisesOurStopsAndForeignOnes) {
  auto e = Engine("emulate(5) getuid\nallow getppid\n", true);
  // Rule indices: 0-3 guards, 4 emulate, 5 allow.
  Verdict ours = e->Decide(Stop(102, 4));
  EXPECT_EQ(ours.source, Verdict::Source::kRule);
  EXPECT_EQ(ours.rule, 4);
  EXPECT_EQ(ours.action.kind, Action::Kind::kEmulate);
  EXPECT_FALSE(ours.foreign);
  // The program's own filter asked (other data) for a call we have a rule
  // for: our rule decides.
  Verdict foreign_ruled = e->Decide(Stop(110, 0x1234));
  EXPECT_EQ(foreign_ruled.rule, 5);
  EXPECT_EQ(foreign_ruled.action.kind, Action::Kind::kAllow);
  EXPECT_TRUE(foreign_ruled.foreign);
  // ...and for one we have none: as if no tracer were attached.
  Verdict none = e->Decide(Stop(39, 0x1234));
  EXPECT_EQ(none.source, Verdict::Source::kNoTracer);
  EXPECT_EQ(none.action.kind, Action::Kind::kErrno);
  EXPECT_EQ(none.action.value, ENOSYS);
  EXPECT_EQ(e->RuleName(4), "e.policy:1");
  EXPECT_EQ(e->RuleName(-1), "default");
}

TEST(PolicyEngineTest, InjectsComeFirstAndFallThroughToThePolicy) {
  auto e = Engine("errno(EACCES) chdir\n", true, {"chdir:error=ENOENT:when=2"});
  Verdict v = e->Decide(Stop(80, 0));
  EXPECT_EQ(v.rule, 0);
  ASSERT_NE(e->InjectFor(v.rule), nullptr);
  EXPECT_EQ(e->RuleName(0), "--inject=chdir:error=ENOENT:when=2");
  Verdict base = e->DecideWithoutInjects(Stop(80, 0));
  EXPECT_EQ(base.action.kind, Action::Kind::kErrno);
  EXPECT_EQ(base.action.value, EACCES);
  EXPECT_EQ(e->InjectFor(base.rule), nullptr);
}

}  // namespace
}  // namespace sysgate
