// End to end: `sysgate learn`, then enforcing what it learned.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// A second thread, a child process that execs, and a 32-bit program
// (where the host has a 32-bit ABI sysgate supervises).
std::vector<std::string> Workload() {
  std::string compat = HasCompatAbi() ? Tracee("calls32") + " ids; " : "";
  return {"/bin/sh", "-c",
          Tracee("calls") + " threads 2 5 0; " + compat + Tracee("calls") +
              " chain 1; " + Tracee("calls") + " open /etc/passwd read"};
}

std::vector<std::string> Concat(std::vector<std::string> a,
                                const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(LearnTest, LearnsWhatTheRunUsedAndEnforcesIt) {
  std::string learned = TempFile("learned.policy", "");
  Outcome l =
      RunSysgate(Concat({"learn", "--output=" + learned, "--"}, Workload()));
  ASSERT_EQ(l.status, 0) << l.err;
  EXPECT_EQ(l.err, "");
  std::string policy = ReadFile(learned);
  EXPECT_THAT(policy, HasSubstr("default errno(EPERM)\n"));
  // Grouped by ABI, with counts and the first caller.
  if (HasCompatAbi()) {
    EXPECT_THAT(policy, HasSubstr("# Used on x86_64\n"));
    EXPECT_THAT(policy, HasSubstr("# Used on x86_64, i386\n"));
    EXPECT_THAT(policy, HasSubstr("# Used on i386\n"));
    EXPECT_THAT(policy, HasSubstr("allow mmap2  #"));  // The 32-bit program.
  } else {
    EXPECT_THAT(policy, HasSubstr("# Used on arm64\n"));
  }
  EXPECT_THAT(
      policy,
      ContainsRegex(
          "allow getuid  # [0-9]+ calls, first by /[^ ]+ \\(pid [0-9]+\\)\n"));
  EXPECT_THAT(policy, HasSubstr("allow clone  #"));  // The second thread.
  EXPECT_THAT(policy, HasSubstr("allow wait4  #"));  // The child process.
  // Nothing surprising.
  EXPECT_THAT(policy, Not(HasSubstr("ptrace")));
  EXPECT_THAT(policy, Not(HasSubstr("chdir")));
  EXPECT_THAT(policy, Not(HasSubstr("mount")));

  // The same workload runs under it without a violation...
  Outcome again =
      RunSysgate(Concat({"run", "--policy=" + learned, "--"}, Workload()));
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.err, "");
  EXPECT_EQ(again.out, l.out);
  // ...and a call it never made is denied.
  Outcome other = RunSysgate(
      {"run", "--policy=" + learned, "--", Tracee("calls"), "chdir", "1"});
  EXPECT_THAT(other.out, HasSubstr("chdir1 = -1 EPERM\n"));
  EXPECT_THAT(other.err,
              HasSubstr("chdir(\"/\") denied by default (errno EPERM)"));
}

TEST(LearnTest, ArgumentsWhereStable) {
  std::string learned = TempFile("learned-args.policy", "");
  Outcome l = RunSysgate({"learn", "--args", "--output=" + learned, "--",
                          Tracee("calls"), "open", "/etc/passwd", "read"});
  ASSERT_EQ(l.status, 0) << l.err;
  EXPECT_THAT(ReadFile(learned),
              HasSubstr("allow openat if (flags & O_ACCMODE) == O_RDONLY  #"));
  std::string target = TempFile("write-target", "");
  Outcome w = RunSysgate({"run", "--policy=" + learned, "--", Tracee("calls"),
                          "open", target, "write"});
  EXPECT_THAT(w.out, HasSubstr("write = -1 EPERM\n"));
  Outcome r = RunSysgate({"run", "--policy=" + learned, "--", Tracee("calls"),
                          "open", target, "read"});
  EXPECT_THAT(r.out, HasSubstr("read = 0\n"));
}

TEST(LearnTest, OciProfileRoundTrips) {
  std::string json = TempFile("learned.json", "");
  Outcome l = RunSysgate({"learn", "--format=oci", "--args", "--output=" + json,
                          "--", Tracee("calls"), "ids"});
  ASSERT_EQ(l.status, 0) << l.err;
  std::string profile = ReadFile(json);
  EXPECT_THAT(profile, HasSubstr("\"defaultAction\": \"SCMP_ACT_ERRNO\""));
  EXPECT_THAT(profile,
              HasSubstr(ByHost("\"architectures\": [\"SCMP_ARCH_X86_64\", "
                               "\"SCMP_ARCH_X86\"]",
                               "\"architectures\": [\"SCMP_ARCH_AARCH64\"]")));
  EXPECT_THAT(profile, HasSubstr("\"getuid\""));
  EXPECT_THAT(
      profile,
      HasSubstr("\"op\": \"SCMP_CMP_MASKED_EQ\""));  // openat's access mode.
  Outcome again =
      RunSysgate({"run", "--policy=" + json, "--", Tracee("calls"), "ids"});
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, l.out);
  Outcome other = RunSysgate({"run", "--quiet", "--policy=" + json, "--",
                              Tracee("calls"), "chdir", "1"});
  EXPECT_THAT(other.out, HasSubstr("chdir1 = -1 EPERM\n"));
}

TEST(LearnTest, RunsMerge) {
  std::string first = TempFile("first.policy", "");
  ASSERT_EQ(
      RunSysgate({"learn", "--output=" + first, "--", Tracee("calls"), "ids"})
          .status,
      0);
  std::string merged = TempFile("merged.policy", "");
  Outcome m = RunSysgate({"learn", "--merge=" + first, "--output=" + merged,
                          "--", Tracee("calls"), "chdir", "1"});
  ASSERT_EQ(m.status, 0) << m.err;
  std::string policy = ReadFile(merged);
  EXPECT_THAT(policy, HasSubstr("allow getuid  #"));  // From the first run.
  EXPECT_THAT(policy, HasSubstr("allow chdir  #"));   // From the second.
  for (const char* mode : {"ids", "chdir"}) {
    Outcome o = RunSysgate(
        {"run", "--policy=" + merged, "--", Tracee("calls"), mode, "1"});
    EXPECT_EQ(o.err, "") << mode;
  }
}

TEST(OciProfileTest, DockersDefaultProfileRunsOrdinaryPrograms) {
  std::string profile = Runfile("filters/testdata/docker-default-seccomp.json");
  Outcome o = RunSysgate({"run", "--policy=" + profile, "--", "/bin/sh", "-c",
                          "ls / >/dev/null && echo ok"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "ok\n");
  // Its denials are reported like any other: swapon (x86-64 167, arm64
  // 224) is in no entry of the profile, whatever the capabilities.
  std::string swapon = ByHost("167", "224");
  Outcome denied = RunSysgate(
      {"run", "--policy=" + profile, "--", Tracee("calls"), "syscall", swapon});
  EXPECT_THAT(denied.out, HasSubstr(swapon + " = -1 EPERM\n"));
  EXPECT_THAT(denied.err,
              HasSubstr("swapon(NULL, 0) denied by default (errno EPERM)"));
  Outcome check = RunSysgate({"check", profile});
  EXPECT_EQ(check.status, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr(ByHost(": x86_64+i386: ", ": arm64: ")));
}

TEST(LearnTest, ProgramStatusAndFailures) {
  EXPECT_EQ(RunSysgate({"learn", "--output=/dev/null", "--", Tracee("calls"),
                        "exit", "7"})
                .status,
            7);
  Outcome missing = RunSysgate({"learn", "--", "/no/such/program"});
  EXPECT_EQ(missing.status, 127);
  Outcome format = RunSysgate({"learn", "--format=yaml", "--", "true"});
  EXPECT_EQ(format.status, 125);
  EXPECT_THAT(format.err, HasSubstr("--format is policy or oci"));
}

}  // namespace
}  // namespace sysgate::testing
