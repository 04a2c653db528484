// GoogleTest helpers for sysgate::Harness: a denied call becomes a test
// failure that shows the decoded call and the rule that denied it.
//
//   EXPECT_NO_VIOLATIONS(result);
#ifndef SYSGATE_HARNESS_HARNESS_GTEST_H_
#define SYSGATE_HARNESS_HARNESS_GTEST_H_

#include "gtest/gtest.h"
#include "harness/harness.h"

namespace sysgate {

inline ::testing::AssertionResult NoViolations(const HarnessResult& result) {
  std::vector<Event> denied = result.violations();
  if (denied.empty()) return ::testing::AssertionSuccess();
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  failure << denied.size() << " call(s) denied:";
  for (const Event& e : denied) {
    failure << "\n  pid " << e.pid << ": " << (e.call ? e.call->text : "?")
            << " denied by " << e.rule << " (" << e.action << ")";
  }
  return failure;
}

}  // namespace sysgate

#define EXPECT_NO_VIOLATIONS(result) \
  EXPECT_TRUE(::sysgate::NoViolations(result))
#define ASSERT_NO_VIOLATIONS(result) \
  ASSERT_TRUE(::sysgate::NoViolations(result))

#endif  // SYSGATE_HARNESS_HARNESS_GTEST_H_
