#include "supervisor/session/policy_warnings.h"

#include "filters/family_warnings.h"
#include "filters/multiplexed_routes.h"
#include "filters/parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "supervisor/session/default_policy.h"

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

TEST(PolicyWarningsTest, AWriteGrantOverTheLogIsNamed) {
  Policy p;
  BrokerRule read{BrokerRule::Mode::kRead, {"/var/log/**"}, {"p.policy", 2, 1}};
  BrokerRule write{BrokerRule::Mode::kWrite, {"/tmp/**"}, {"p.policy", 3, 1}};
  p.broker_rules = {read, write};
  EXPECT_THAT(LogFileWarnings(p, "/tmp/run/sysgate.log"),
              ElementsAre(HasSubstr("the program may write the --log file "
                                    "/tmp/run/sysgate.log: the write grant at "
                                    "p.policy:3 covers it")));
  EXPECT_THAT(LogFileWarnings(p, "/var/log/sysgate.log"), IsEmpty());
  EXPECT_THAT(LogFileWarnings(Policy{}, "/tmp/run/sysgate.log"), IsEmpty());
}

// The built-in default policy follows its own advice: no rule of it leaves
// a family member or a multiplexed route open.
TEST(PolicyWarningsTest, TheDefaultPolicyHasNoGaps) {
  absl::StatusOr<Policy> p = ParsePolicy(kDefaultPolicyText, "default.policy");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(FamilyWarnings(*p), IsEmpty());
  EXPECT_THAT(RefusedRouteWarnings(*p), IsEmpty());
}

}  // namespace
}  // namespace sysgate
