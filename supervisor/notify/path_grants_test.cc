#include "supervisor/notify/path_grants.h"

#include "filters/parser.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

TEST(GlobTest, ComponentsAndDoubleStars) {
  EXPECT_TRUE(GlobMatches("/usr/**", "/usr"));
  EXPECT_TRUE(GlobMatches("/usr/**", "/usr/lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_FALSE(GlobMatches("/usr/**", "/usrx/lib"));
  EXPECT_TRUE(GlobMatches("/usr/bin/*", "/usr/bin/ls"));
  EXPECT_FALSE(GlobMatches("/usr/bin/*", "/usr/bin/x/ls"));
  EXPECT_TRUE(GlobMatches("/etc/ld.so.cache", "/etc/ld.so.cache"));
  EXPECT_FALSE(GlobMatches("/etc/ld.so.cache", "/etc/ld.so.cache2"));
  EXPECT_TRUE(GlobMatches("/tmp/*.txt", "/tmp/a.txt"));
  EXPECT_FALSE(GlobMatches("/tmp/*.txt", "/tmp/a.txt/b"));
  EXPECT_TRUE(GlobMatches("/a/**/c", "/a/c"));
  EXPECT_TRUE(GlobMatches("/a/**/c", "/a/b/b/c"));
  EXPECT_FALSE(GlobMatches("/a/**/c", "/a/b/d"));
  EXPECT_TRUE(GlobMatches("/", "/"));
}

TEST(PathGrantsTest, WriteIncludesReadNotTheOtherWayRound) {
  Policy p = *ParsePolicy(
      "broker read /usr/**, /etc/hosts\nbroker write /tmp/work/**\n",
      "b.policy");
  ASSERT_EQ(p.broker_rules.size(), 2u);
  PathGrants grants(p.broker_rules);
  EXPECT_NE(grants.Grants("/usr/lib/libc.so", BrokerRule::Mode::kRead),
            nullptr);
  EXPECT_EQ(grants.Grants("/usr/lib/libc.so", BrokerRule::Mode::kWrite),
            nullptr);
  EXPECT_NE(grants.Grants("/tmp/work/x", BrokerRule::Mode::kRead), nullptr);
  EXPECT_NE(grants.Grants("/tmp/work/x", BrokerRule::Mode::kWrite), nullptr);
  EXPECT_EQ(grants.Grants("/etc/shadow", BrokerRule::Mode::kRead), nullptr);
  EXPECT_EQ(grants.Grants("/etc/hosts", BrokerRule::Mode::kRead)->loc.line, 1);
}

TEST(PathGrantsTest, ExecIsItsOwnMode) {
  Policy p = *ParsePolicy("broker exec /usr/bin/*\nbroker write /tmp/**\n",
                          "b.policy");
  PathGrants grants(p.broker_rules);
  EXPECT_NE(grants.Grants("/usr/bin/true", BrokerRule::Mode::kExec), nullptr);
  EXPECT_EQ(grants.Grants("/usr/bin/true", BrokerRule::Mode::kRead), nullptr);
  EXPECT_EQ(grants.Grants("/tmp/x", BrokerRule::Mode::kExec), nullptr);
  EXPECT_TRUE(grants.HasMode(BrokerRule::Mode::kExec));
}

// The directories above a grant's literal part may be looked at; nothing
// beside or below it is led to.
TEST(PathGrantsTest, LeadsToTheDirectoriesAboveAGrant) {
  Policy p = *ParsePolicy(
      "broker write /tmp/a/work/**\nbroker read /srv/x*/y\n", "b.policy");
  PathGrants grants(p.broker_rules);
  for (const char* dir : {"/", "/tmp", "/tmp/a", "/tmp/a/", "/srv"})
    EXPECT_NE(grants.LeadsTo(dir), nullptr) << dir;
  for (const char* dir :
       {"/tmp/ab", "/tmp/b", "/tmp/a/work/x", "/srv/x1", "/usr"})
    EXPECT_EQ(grants.LeadsTo(dir), nullptr) << dir;
}

// `broker deny` wins over every grant, before or after it, and over the
// way up to it.
TEST(PathGrantsTest, DenyWinsOverEveryGrant) {
  Policy p = *ParsePolicy(
      "broker deny /home/*/.ssh/**\nbroker write /home/**\n"
      "broker read /home/u/.ssh/known_hosts\n",
      "b.policy");
  PathGrants grants(p.broker_rules);
  using M = BrokerRule::Mode;
  EXPECT_NE(grants.Grants("/home/u/notes", M::kWrite), nullptr);
  for (const char* path :
       {"/home/u/.ssh", "/home/u/.ssh/id_rsa", "/home/u/.ssh/known_hosts"}) {
    EXPECT_EQ(grants.Grants(path, M::kRead), nullptr) << path;
    ASSERT_NE(grants.Denies(path), nullptr) << path;
    EXPECT_EQ(grants.IndexOf(grants.Denies(path)), 0);
  }
  EXPECT_EQ(grants.LeadsTo("/home/u/.ssh"), nullptr);
  EXPECT_EQ(grants.Denies("/home/u/notes"), nullptr);
}

TEST(BrokerSyntaxTest, DefaultsAndErrors) {
  Policy p = *ParsePolicy("broker default errno(ENOENT)\n", "b.policy");
  EXPECT_EQ(*p.broker_default_errno, 2);
  auto error = [](const char* text) {
    absl::StatusOr<Policy> r = ParsePolicy(text, "b.policy");
    return r.ok() ? std::string("(parsed)") : std::string(r.status().message());
  };
  EXPECT_EQ(
      error("broker run /bin/*\n"),
      "b.policy:1:8: error: expected read, write, exec, deny or default after "
      "'broker', found 'run'");
  EXPECT_EQ(
      error("broker read usr\n"),
      "b.policy:1:13: error: expected an absolute path pattern, found 'usr'");
  EXPECT_EQ(error("broker default allow\n"),
            "b.policy:1:8: error: 'broker default' takes errno(E)");
}

}  // namespace
}  // namespace sysgate
