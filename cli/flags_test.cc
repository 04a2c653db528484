#include "cli/flags.h"

#include "gtest/gtest.h"

namespace sysgate::cli {
namespace {

constexpr FlagSpec kSpecs[] = {
    {"--policy", FlagSpec::Kind::kValue},
    {"--inject", FlagSpec::Kind::kRepeated},
    {"--quiet", FlagSpec::Kind::kSwitch, "-q"},
};

TEST(FlagsTest, BothValueFormsSwitchesAndAliases) {
  absl::StatusOr<ParsedFlags> f = ParseFlags(
      {"--policy=a", "-q", "--inject", "x", "--inject=y", "prog", "--quiet"},
      kSpecs, /*program_follows=*/true);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->Value("--policy"), "a");
  EXPECT_TRUE(f->Has("--quiet"));
  EXPECT_EQ(f->Values("--inject"), (std::vector<std::string>{"x", "y"}));
  // Options end at the program: its own arguments are its own.
  EXPECT_EQ(f->rest(), (std::vector<std::string>{"prog", "--quiet"}));
  EXPECT_FALSE(f->help());
}

TEST(FlagsTest, DoubleDashEndsOptions) {
  absl::StatusOr<ParsedFlags> f =
      ParseFlags({"--", "--policy=a"}, kSpecs, /*program_follows=*/true);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->Has("--policy"));
  EXPECT_EQ(f->rest(), (std::vector<std::string>{"--policy=a"}));
}

TEST(FlagsTest, OperandsMixWithOptionsWhereNoProgramFollows) {
  absl::StatusOr<ParsedFlags> f =
      ParseFlags({"p.policy", "-q", "--help"}, kSpecs, false);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->rest(), (std::vector<std::string>{"p.policy"}));
  EXPECT_TRUE(f->Has("--quiet"));
  EXPECT_TRUE(f->help());
  EXPECT_EQ(f->Value("--policy", "none"), "none");
}

TEST(FlagsTest, MistakesAreNamed) {
  EXPECT_EQ(ParseFlags({"--bogus"}, kSpecs, true).status().message(),
            "unknown option '--bogus'");
  EXPECT_EQ(ParseFlags({"--policy"}, kSpecs, true).status().message(),
            "option '--policy' needs a value");
  EXPECT_EQ(ParseFlags({"--quiet=1"}, kSpecs, true).status().message(),
            "option '--quiet' takes no value");
}

}  // namespace
}  // namespace sysgate::cli
