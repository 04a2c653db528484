#include "filters/parser.h"

#include <map>

#include "absl/strings/str_join.h"
#include "filters/family_warnings.h"
#include "filters/resolve.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<Policy> Parse(const std::string& text) {
  return ParsePolicy(text, "p.policy");
}

std::string ErrorOf(const std::string& text) {
  absl::StatusOr<Policy> p = Parse(text);
  return p.ok() ? "(parsed)" : std::string(p.status().message());
}

TEST(ParserTest, RulesActionsAndLocations) {
  absl::StatusOr<Policy> p = Parse(
      "# comment\n"
      "default errno(EPERM)\n"
      "allow read, write\n"
      "  emulate(-1) getuid   # trailing comment\n"
      "errno(13) openat if (flags & O_ACCMODE) == O_WRONLY\n"
      "kill-thread ptrace\n"
      "kill mount\n"
      "trap reboot\n"
      "audit uname\n"
      "log getpid\n"
      "emulate(-EACCES) chdir\n");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_TRUE(p->default_action.has_value());
  EXPECT_EQ(p->default_action->ToString(), "errno(EPERM)");
  ASSERT_EQ(p->rules.size(), 9u);
  EXPECT_EQ(p->rules[0].syscalls, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(p->rules[0].loc.line, 3);
  EXPECT_EQ(p->rules[1].action.ToString(), "emulate(-1)");
  EXPECT_EQ(p->rules[1].loc.column, 3);
  EXPECT_EQ(p->rules[2].action.kind, Action::Kind::kErrno);
  EXPECT_EQ(p->rules[2].action.value, 13);
  ASSERT_NE(p->rules[2].condition, nullptr);
  EXPECT_EQ(p->rules[3].action.kind, Action::Kind::kKillThread);
  EXPECT_EQ(p->rules[4].action.kind, Action::Kind::kKillProcess);
  EXPECT_EQ(p->rules[5].action.kind, Action::Kind::kTrap);
  EXPECT_EQ(p->rules[6].action.kind, Action::Kind::kAudit);
  EXPECT_EQ(p->rules[7].action.kind, Action::Kind::kLog);
  EXPECT_EQ(p->rules[8].action.value, -13);
}

TEST(ParserTest, ConditionsContinueAcrossLines) {
  absl::StatusOr<Policy> p = Parse(
      "allow openat if (flags & O_ACCMODE) == O_RDONLY &&\n"
      "    !(dfd == AT_FDCWD ||\n"
      "      mode >= 0x1ff)\n"
      "allow mmap if prot == PROT_READ|PROT_EXEC\n");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->rules.size(), 2u);
}

TEST(ParserTest, ErrorsAreLocatedAndHelpful) {
  EXPECT_EQ(
      ErrorOf("allow opne\n"),
      "p.policy:1:7: error: unknown syscall 'opne'; did you mean 'open'?");
  EXPECT_EQ(ErrorOf("allow read\nfrobnicate write\n"),
            "p.policy:2:1: error: unknown action 'frobnicate'; expected allow, "
            "audit, log, errno(E), "
            "emulate(N), kill, kill-thread or trap");
  EXPECT_THAT(ErrorOf("errno(EWHAT) read\n"),
              HasSubstr("1:7: error: expected an errno name or number"));
  EXPECT_THAT(ErrorOf("errno(5000) read\n"), HasSubstr("between 0 and 4095"));
  EXPECT_THAT(ErrorOf("allow read if fd = 1\n"),
              HasSubstr("1:18: error: '=' is not an operator; use '=='"));
  EXPECT_THAT(ErrorOf("allow openat if flags & O_CREAT == 0\n"),
              HasSubstr("1:23: error: '&' binds weaker than comparisons; write "
                        "(flags & MASK) == VALUE"));
  EXPECT_THAT(ErrorOf("allow read if fd == O_BOGUS\n"),
              HasSubstr("1:21: error: unknown constant 'O_BOGUS'"));
  EXPECT_THAT(ErrorOf("default allow\ndefault kill\n"),
              HasSubstr("2:1: error: a second 'default'"));
  EXPECT_THAT(ErrorOf("allow read write\n"),
              HasSubstr("1:12: error: expected end of line, found 'write'"));
  EXPECT_THAT(ErrorOf("allow read if (fd == 1\n"),
              HasSubstr("error: expected ')'"));
  EXPECT_THAT(
      ErrorOf("allow\n"),
      HasSubstr("1:6: error: expected a syscall name, found end of line"));
  EXPECT_THAT(ErrorOf("allow read @\n"),
              HasSubstr("1:12: error: unexpected character '@'"));
}

TEST(ParserTest, IncludesAreRelativeAndCyclesAreCaught) {
  std::map<std::string, std::string> files = {
      {"dir/main.policy",
       "allow read\ninclude \"sub/more.policy\"\nallow write\n"},
      {"dir/sub/more.policy", "errno(EPERM) ptrace\n"},
      {"dir/loop.policy", "include \"loop.policy\"\n"},
  };
  FileLoader loader =
      [&](const std::string& path) -> absl::StatusOr<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return absl::NotFoundError("no such file");
    return it->second;
  };
  absl::StatusOr<Policy> p = ParsePolicyFile("dir/main.policy", loader);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->rules.size(), 3u);
  EXPECT_EQ(p->rules[1].syscalls[0], "ptrace");
  EXPECT_EQ(p->rules[1].loc.file, "dir/sub/more.policy");
  absl::StatusOr<Policy> loop = ParsePolicyFile("dir/loop.policy", loader);
  EXPECT_THAT(
      std::string(loop.status().message()),
      HasSubstr(
          "dir/loop.policy:1:1: error: 'dir/loop.policy' includes itself"));
  absl::StatusOr<Policy> missing =
      ParsePolicy("include \"nope\"\n", "dir/x.policy", loader);
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("dir/x.policy:1:1: error: cannot include 'dir/nope'"));
}

TEST(ParserTest, FamiliesNameEveryMember) {
  absl::StatusOr<Policy> p = Parse("errno(EACCES) @open, read\n");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(
      p->rules[0].syscalls,
      (std::vector<std::string>{"open", "openat", "openat2", "creat", "read"}));
  EXPECT_THAT(ErrorOf("allow @opne\n"),
              ::testing::StartsWith("p.policy:1:7: error: unknown call family "
                                    "'@opne' (@open, @stat, "));
}

// argN means each member's own Nth parameter: refused where two members'
// differ, accepted where they are one parameter.
TEST(ParserTest, PositionalArgumentsOnAFamilyMustMeanOneParameter) {
  EXPECT_THAT(ErrorOf("errno(EPERM) @open if arg2 == 0\n"),
              ::testing::StartsWith(
                  "p.policy:1:23: error: arg2 is 'mode' in open but 'flags' in "
                  "openat (@open): name the parameter instead"));
  EXPECT_THAT(ErrorOf("errno(EPERM) @open, read if flags == 0 || arg1 == 3\n"),
              HasSubstr("error: arg1 is "));
  EXPECT_TRUE(Parse("errno(EPERM) @umount if arg0 == 0\n").ok());
  EXPECT_TRUE(Parse("errno(EPERM) @open if (flags & 3) == 1\n").ok());
  EXPECT_TRUE(Parse("errno(EPERM) open, openat if arg2 == 0\n").ok());
}

TEST(FamilyWarningsTest, OneMemberOfAFamilyIsNamed) {
  absl::StatusOr<Policy> p = Parse(
      "default allow\n"
      "errno(EACCES) openat, creat\n"
      "errno(EACCES) open\n"
      "errno(EPERM) @stat\n"
      "errno(EPERM) kill if sig == 9\n");
  ASSERT_TRUE(p.ok()) << p.status();
  std::vector<std::string> w = FamilyWarnings(*p);
  ASSERT_EQ(w.size(), 3u) << absl::StrJoin(w, "\n");
  // open is named by another rule, openat2 by none.
  EXPECT_EQ(w[0],
            "p.policy:2:1: warning: this rule names openat, creat but no rule "
            "names openat2, which do the same (@open names them all)");
  EXPECT_THAT(w[1], HasSubstr("p.policy:3:1: warning: this rule names open "
                              "but no rule names openat2"));
  EXPECT_THAT(w[2], ::testing::StartsWith(
                        "p.policy:5:1: warning: this rule names kill but no "
                        "rule names tkill, tgkill, rt_sigqueueinfo"));
}

TEST(ResolveTest, ParametersResolvePerSyscallAndAbi) {
  absl::StatusOr<Policy> p =
      Parse("allow open, openat if (flags & O_ACCMODE) == O_RDONLY\n");
  ASSERT_TRUE(p.ok());
  absl::StatusOr<AbiPolicy> x86 = ResolvePolicy(*p, AbiId::kX86_64);
  ASSERT_TRUE(x86.ok()) << x86.status();
  EXPECT_EQ(x86->Find(2)->rules[0].cond->test.arg,
            1);  // open(path, flags, mode)
  EXPECT_EQ(x86->Find(257)->rules[0].cond->test.arg,
            2);  // openat(dfd, path, flags, mode)
  EXPECT_EQ(x86->Find(257)->rules[0].cond->test.bits, 32);
  absl::StatusOr<AbiPolicy> arm = ResolvePolicy(*p, AbiId::kArm64);
  ASSERT_TRUE(arm.ok());
  EXPECT_EQ(arm->syscalls().size(), 1u);  // arm64 has no open.
}

// i386 passes pread64's loff_t pos in two registers (ia32_pread64): the
// name still means the whole value, and names after it the next registers.
TEST(ResolveTest, SplitParametersAreComparedWhole) {
  absl::StatusOr<Policy> p = Parse(
      "errno(EPERM) pread64 if pos >= 0x100000000\n"
      "errno(EPERM) fadvise64 if advice == 4\n");
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<AbiPolicy> i386 = ResolvePolicy(*p, AbiId::kI386);
  ASSERT_TRUE(i386.ok()) << i386.status();
  const ArgTest& pos = i386->Find(180)->rules[0].cond->test;
  EXPECT_EQ(pos.arg, 3);
  EXPECT_EQ(pos.high_arg, 4);
  EXPECT_EQ(pos.bits, 64);
  EXPECT_EQ(i386->Evaluate(180, {3, 0, 10, 0, 1, 0}), 0);  // pos = 1 << 32
  EXPECT_EQ(i386->Evaluate(180, {3, 0, 10, 0xffffffff, 0, 0}), -1);
  EXPECT_EQ(i386->Find(250)->rules[0].cond->test.arg, 4);
  // preadv's pos_l and pos_h: `pos` is both words on i386, pos_l on x86-64.
  absl::StatusOr<Policy> v =
      Parse("errno(EPERM) pwritev if pos >= 0x100000000\n");
  ASSERT_TRUE(v.ok()) << v.status();
  i386 = ResolvePolicy(*v, AbiId::kI386);
  ASSERT_TRUE(i386.ok()) << i386.status();
  EXPECT_EQ(i386->Evaluate(334, {3, 0, 1, 0, 1, 0}), 0);
  absl::StatusOr<AbiPolicy> x86 = ResolvePolicy(*v, AbiId::kX86_64);
  ASSERT_TRUE(x86.ok()) << x86.status();
  EXPECT_EQ(x86->Evaluate(296, {3, 0, 1, 0x100000000ull, 0, 0}), 0);
  EXPECT_EQ(x86->Evaluate(296, {3, 0, 1, 0, 1, 0}), -1);
}

// A value wider than the parameter is never what the kernel reads: cut to
// the width it would turn `offset >= 0x100000000` into `offset >= 0`.
TEST(ResolveTest, ValuesWiderThanTheParameterAreDecidedWhole) {
  absl::StatusOr<Policy> p = Parse(
      "errno(EPERM) lseek if offset >= 0x100000000\n"
      "errno(EPERM) fchmodat if mode == 0x10000\n"
      "errno(EPERM) fchmodat if mode != 0x10000\n"
      "errno(EPERM) openat if dfd == AT_FDCWD\n");
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<AbiPolicy> i386 = ResolvePolicy(*p, AbiId::kI386);
  ASSERT_TRUE(i386.ok()) << i386.status();
  EXPECT_EQ(i386->Evaluate(19, {3, 0, 0}), -1);  // lseek
  EXPECT_EQ(i386->Evaluate(19, {3, 0xffffffff, 0}), -1);
  EXPECT_EQ(i386->Evaluate(306, {3, 0, 0}), 2);           // fchmodat
  EXPECT_EQ(i386->Evaluate(295, {0xffffff9c, 0, 0}), 3);  // openat
  absl::StatusOr<AbiPolicy> x86 = ResolvePolicy(*p, AbiId::kX86_64);
  ASSERT_TRUE(x86.ok());
  EXPECT_EQ(x86->Evaluate(8, {3, 0x100000000ull, 0}), 0);  // 64-bit offset
}

TEST(ResolveTest, UnknownParameterIsAnError) {
  absl::StatusOr<Policy> p = Parse("allow read if flags == 0\n");
  ASSERT_TRUE(p.ok());
  absl::StatusOr<AbiPolicy> r = ResolvePolicy(*p, AbiId::kX86_64);
  EXPECT_EQ(r.status().message(),
            "p.policy:1:15: error: read has no parameter 'flags' on x86_64 (it "
            "has fd, buf, count)");
}

TEST(ResolveTest, ConstantsTakeTheAbisValue) {
  absl::StatusOr<Policy> p =
      Parse("allow openat if (flags & O_DIRECTORY) != 0\n");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(
      ResolvePolicy(*p, AbiId::kX86_64)->Find(257)->rules[0].cond->test.mask,
      0200000u);
  EXPECT_EQ(
      ResolvePolicy(*p, AbiId::kArm64)->Find(56)->rules[0].cond->test.mask,
      040000u);
}

TEST(ResolveTest, FirstUnconditionalRuleShadowsTheRest) {
  absl::StatusOr<Policy> p =
      Parse("errno(1) read if fd == 0\nallow read\nkill read\n");
  ASSERT_TRUE(p.ok());
  absl::StatusOr<AbiPolicy> r = ResolvePolicy(*p, AbiId::kX86_64);
  EXPECT_EQ(r->Evaluate(0, {0}), 0);
  EXPECT_EQ(r->Evaluate(0, {1}), 1);
  EXPECT_EQ(r->Evaluate(0, {0}, /*first_rule=*/2), 2);
  EXPECT_EQ(r->Evaluate(1, {0}), -1);
}

}  // namespace
}  // namespace sysgate
