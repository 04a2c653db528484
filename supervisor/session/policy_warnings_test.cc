#include "supervisor/session/policy_warnings.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(PolicyWarningsTest, AuditWithoutLoggingIsNeverSilent) {
  KernelProbe p;
  p.actions_logged = {"kill_process", "kill_thread", "trap", "errno",
                      "trace"};  // No "log".
  EXPECT_THAT(PolicyWarnings(p, /*uses_audit=*/true, false),
              ElementsAre(HasSubstr(
                  "'log' is not in /proc/sys/kernel/seccomp/actions_logged")));
  EXPECT_THAT(PolicyWarnings(p, /*uses_audit=*/false, false), IsEmpty());
  p.actions_logged.push_back("log");
  EXPECT_THAT(PolicyWarnings(p, true, false), IsEmpty());
}

TEST(PolicyWarningsTest, MissingActionsDegradeWithAWarning) {
  KernelProbe p;
  p.actions.log = false;
  p.actions.kill_process = false;
  std::vector<std::string> w = PolicyWarnings(p, true, true);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_THAT(w[0], HasSubstr("no SECCOMP_RET_LOG: 'audit' rules only allow"));
  EXPECT_THAT(
      w[1],
      HasSubstr(
          "no SECCOMP_RET_KILL_PROCESS: 'kill' kills only the calling thread"));
}

}  // namespace
}  // namespace sysgate
