#include "supervisor/engine/inject_spec.h"

#include "gtest/gtest.h"

namespace sysgate {
namespace {

TEST(InjectSpecTest, ParsesEveryAction) {
  absl::StatusOr<InjectSpec> s =
      ParseInjectSpec("read,write:error=ENOSPC:signal=USR1:when=3+2");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->syscalls, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(*s->error, 28);
  EXPECT_EQ(*s->signal, 10);
  EXPECT_FALSE(s->retval.has_value());
  EXPECT_EQ(s->when.first, 3u);
  EXPECT_EQ(s->when.step, 2u);
  absl::StatusOr<InjectSpec> r =
      ParseInjectSpec("getuid:retval=-5:syscall=getpid");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->retval, -5);
  EXPECT_EQ(*r->substitute, "getpid");
}

TEST(InjectSpecTest, WhenMatchesLikeStrace) {
  auto pattern = [](const char* when) {
    InjectSpec s = *ParseInjectSpec(std::string("read:error=EIO:when=") + when);
    std::string out;
    for (int i = 1; i <= 10; ++i) out += s.when.Matches(i) ? 'x' : '.';
    return out;
  };
  EXPECT_EQ(pattern("1"), "x.........");
  EXPECT_EQ(pattern("4"), "...x......");
  EXPECT_EQ(pattern("4+"), "...xxxxxxx");
  EXPECT_EQ(pattern("2+3"), ".x..x..x..");
  EXPECT_EQ(pattern("3..5"), "..xxx.....");
  EXPECT_EQ(pattern("2..8+3"), ".x..x..x..");
  EXPECT_EQ(pattern("2..4+"), ".xxx......");
  InjectSpec every = *ParseInjectSpec("read:error=EIO");
  EXPECT_TRUE(every.when.Matches(1));
  EXPECT_TRUE(every.when.Matches(1000000));
}

TEST(InjectSpecTest, Errors) {
  EXPECT_FALSE(ParseInjectSpec("read:error=EIO:retval=1").ok());
  EXPECT_FALSE(ParseInjectSpec("read").ok());
  EXPECT_FALSE(ParseInjectSpec("nosuchcall:error=EIO").ok());
  EXPECT_FALSE(ParseInjectSpec("read:error=0").ok());
  EXPECT_FALSE(ParseInjectSpec("read:signal=SIGNOPE").ok());
  EXPECT_FALSE(ParseInjectSpec("read:error=EIO:when=0").ok());
  EXPECT_FALSE(ParseInjectSpec("read:error=EIO:when=1..70000").ok());
  EXPECT_FALSE(ParseInjectSpec("read:error=EIO:when=x+").ok());
  EXPECT_FALSE(ParseInjectSpec("read:syscall=nope").ok());
}

// strace's time format (strace(1), "Time specification format"):
// microseconds without a unit.
TEST(InjectSpecTest, DelaysAsStraceReadsThem) {
  EXPECT_EQ(*ParseDelay("1500000"), absl::Milliseconds(1500));
  EXPECT_EQ(*ParseDelay("1.5s"), absl::Milliseconds(1500));
  EXPECT_EQ(*ParseDelay("250ms"), absl::Milliseconds(250));
  EXPECT_EQ(*ParseDelay("10us"), absl::Microseconds(10));
  EXPECT_EQ(*ParseDelay("100ns"), absl::Nanoseconds(100));
  EXPECT_EQ(*ParseDelay("0"), absl::ZeroDuration());
  for (const char* bad :
       {"", "s", "-1", "1m", "2d", "1.5 s", "inf", "nan", "100000s", "0x"}) {
    EXPECT_FALSE(ParseDelay(bad).ok()) << bad;
  }
  absl::StatusOr<InjectSpec> both =
      ParseInjectSpec("getppid:delay_enter=1s:delay_exit=20ms:when=2");
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(*both->delay_enter, absl::Seconds(1));
  EXPECT_EQ(*both->delay_exit, absl::Milliseconds(20));
  EXPECT_FALSE(both->error || both->retval || both->signal);
  // A delay alone is an injection, as in strace.
  EXPECT_TRUE(ParseInjectSpec("getppid:delay_exit=0").ok());
  absl::StatusOr<InjectSpec> wrong = ParseInjectSpec("getppid:delay_enter=5x");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(),
            "--inject=getppid:delay_enter=5x: delay_enter: '5x' is not a delay "
            "(a number of microseconds, or with s, ms, us or ns; 0 to 1 day)");
}

}  // namespace
}  // namespace sysgate
