// End to end: what a brokered call gets is what the first matching rule
// names, whatever the reporting mode (issue 13). Every action, every
// --inject action, on openat, newfstatat and execve, in each mode: the
// default (a line per denial on stderr), --quiet and --log; and --inject's
// delays, which hold one thread without holding any other.
#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

enum class Mode { kDefault, kQuiet, kLog };
constexpr Mode kModes[] = {Mode::kDefault, Mode::kQuiet, Mode::kLog};
constexpr const char* kCalls[] = {"openat", "newfstatat", "execve"};

struct Observed {
  int status;
  std::string out;  // Without the lines that differ run to run.
  std::string err;
  std::string log;  // JSON Lines, with --log.
  std::string raw_out;
};

long Field(const std::string& out, const std::string& name);

// Without what the tracee prints that differs from run to run: its pid
// (also as a result, of syscall=getpid) and its timing.
std::string Stable(const std::string& out) {
  std::string kept;
  std::string pid_result = absl::StrCat("result = ", Field(out, "pid"));
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "pid = ") ||
        absl::StartsWith(line, "elapsed_ms = "))
      continue;
    absl::StrAppend(&kept, line == pid_result ? "result = PID" : line, "\n");
  }
  return kept;
}

long Field(const std::string& out, const std::string& name) {
  size_t at = out.find(name + " = ");
  long v = -1;
  if (at != std::string::npos) {
    std::string rest = out.substr(at + name.size() + 3);
    (void)absl::SimpleAtoi(rest.substr(0, rest.find('\n')), &v);
  }
  return v;
}

class DecisionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char real[PATH_MAX];
    ASSERT_NE(realpath(getenv("TEST_TMPDIR"), real), nullptr);
    target_ = TempFile("target", "thirteen byte");  // 13 bytes.
    ASSERT_NE(realpath(target_.c_str(), real), nullptr);
    target_ = real;
  }

  std::string PathFor(const std::string& call) {
    return call == "execve" ? Tracee("decisions") : target_;
  }

  Observed RunIn(Mode mode, const std::vector<std::string>& options,
                 const std::string& where, const std::string& call) {
    static int n = 0;
    std::string log = TempFile(absl::StrCat("run", ++n, ".jsonl"), "");
    std::vector<std::string> args = {"run"};
    if (mode == Mode::kQuiet) args.push_back("--quiet");
    if (mode == Mode::kLog) args.push_back("--log=" + log);
    args.insert(args.end(), options.begin(), options.end());
    for (const std::string& a :
         {std::string("--"), Tracee("decisions"), std::string("call"), where,
          call, PathFor(call)})
      args.push_back(a);
    Outcome o = RunSysgate(args);
    return {o.status, Stable(o.out), o.err,
            mode == Mode::kLog ? ReadFile(log) : "", o.out};
  }

  std::string target_;
};

// The rule that names our call (and no other the program makes): a flag,
// or argument, only the tracee's call has.
std::string RuleFor(const std::string& action, const std::string& call) {
  std::string cond = call == "openat"       ? "(flags & O_NOCTTY) != 0"
                     : call == "newfstatat" ? "(flag & AT_NO_AUTOMOUNT) != 0"
                                            : "envp == 0";
  return absl::StrCat(action, " ", call, " if ", cond, "\n");
}

// What the call gets when it runs, brokered.
void ExpectRan(const std::string& call, const Observed& r) {
  if (call == "execve") {
    EXPECT_EQ(r.status, 42) << r.err;  // The new image ran.
    return;
  }
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(call == "openat" ? "result = 3\n"
                                                : "result = 0\nsize = 13\n"));
}

struct ActionCase {
  const char* action;
  const char* event;   // Its event in the log, or null.
  const char* phrase;  // Its stderr report, or null: none.
};

constexpr ActionCase kActions[] = {
    {"allow", nullptr, nullptr},
    {"audit", "\"event\":\"log\"", nullptr},
    {"log", "\"event\":\"log\"", nullptr},
    {"errno(EACCES)", "\"event\":\"violation\"", "(errno EACCES)"},
    {"emulate(7)", "\"event\":\"emulate\"", nullptr},
    {"kill", "\"event\":\"violation\"", "(kill)"},
    {"kill-thread", "\"event\":\"violation\"", "(kill-thread)"},
    {"trap", "\"event\":\"violation\"", "(trap)"},
};

void ExpectOutcome(const std::string& action, const std::string& call,
                   const Observed& r) {
  if (action == "allow" || action == "audit" || action == "log") {
    ExpectRan(call, r);
  } else if (action == "errno(EACCES)") {
    EXPECT_THAT(r.out, HasSubstr("result = -1 EACCES\n"));
    EXPECT_THAT(r.out, HasSubstr("survived\n"));
  } else if (action == "emulate(7)") {
    EXPECT_THAT(r.out, HasSubstr("result = 7\n"));
  } else if (action == "kill") {
    EXPECT_EQ(r.status, 159);  // 128 + SIGSYS.
    EXPECT_THAT(r.out, Not(HasSubstr("survived")));
  } else if (action == "kill-thread") {
    // The calling thread died before it stored a result; the rest lives.
    EXPECT_THAT(r.out, HasSubstr("result = -1 EOPNOTSUPP\n"));
    EXPECT_THAT(r.out, HasSubstr("survived\n"));
  } else if (action == "trap") {
    EXPECT_THAT(r.out, HasSubstr("result = none (trapped)\n"));
    EXPECT_THAT(r.out, HasSubstr("trapped = yes\n"));
  }
}

TEST_F(DecisionsTest, TheFirstMatchingRuleDecidesABrokeredCallInEveryMode) {
  for (const char* call : kCalls) {
    for (const ActionCase& c : kActions) {
      std::string policy = TempFile(
          "p.policy", absl::StrCat("broker read /**\nbroker exec /**\n",
                                   RuleFor(c.action, call)));
      std::string rule = policy + ":3";
      SCOPED_TRACE(absl::StrCat(c.action, " ", call));
      std::vector<Observed> runs;
      for (Mode mode : kModes) {
        runs.push_back(RunIn(mode, {"--policy=" + policy}, "thread", call));
        const Observed& r = runs.back();
        ExpectOutcome(c.action, call, r);
        // --log adds a log; only --quiet silences stderr.
        if (c.phrase != nullptr && mode != Mode::kQuiet) {
          EXPECT_THAT(r.err, HasSubstr(absl::StrCat("denied by ", rule, " ",
                                                    c.phrase)));
        } else {
          EXPECT_EQ(r.err, "");
        }
        if (mode == Mode::kLog && c.event != nullptr) {
          EXPECT_THAT(r.log, HasSubstr(c.event));
          EXPECT_THAT(r.log, HasSubstr(absl::StrCat("\"rule\":\"", rule)));
        }
        if (mode == Mode::kLog && c.event == nullptr) {
          EXPECT_THAT(r.log, Not(HasSubstr("\"rule\":\"" + rule)));
        }
      }
      // Identical outcomes whatever is reported.
      for (const Observed& r : runs) {
        EXPECT_EQ(r.status, runs[0].status);
        EXPECT_EQ(r.out, runs[0].out);
      }
    }
  }
}

// The kernel logs only the action that decided, so a brokered `audit` is
// sysgate's to report: a log event naming the audit rule.
TEST_F(DecisionsTest, ABrokeredAuditIsReportedAsAudit) {
  std::string policy =
      TempFile("audit.policy",
               absl::StrCat("broker read /**\n", RuleFor("audit", "openat")));
  Observed r = RunIn(Mode::kLog, {"--policy=" + policy}, "main", "openat");
  EXPECT_THAT(r.log, HasSubstr("\"event\":\"log\""));
  EXPECT_THAT(r.log, HasSubstr("\"action\":\"audit\""));
}

TEST_F(DecisionsTest, EveryInjectionReachesABrokeredCallInEveryMode) {
  const char* injections[] = {"error=ENOENT",      "retval=9",
                              "signal=USR1",       "syscall=getpid",
                              "delay_enter=300ms", "delay_exit=300ms"};
  std::string policy =
      TempFile("broker.policy", "broker read /**\nbroker exec /**\n");
  for (const char* call : kCalls) {
    for (const char* injection : injections) {
      // The launcher's own execve is the first; the tracee's the second.
      std::string spec =
          absl::StrCat(call, ":", injection,
                       ":when=", std::string(call) == "execve" ? 2 : 1);
      SCOPED_TRACE(spec);
      std::vector<Observed> runs;
      for (Mode mode : kModes) {
        runs.push_back(RunIn(mode, {"--policy=" + policy, "--inject=" + spec},
                             "main", call));
        const Observed& r = runs.back();
        std::string action = injection;
        if (action == "error=ENOENT") {
          EXPECT_THAT(r.out, HasSubstr("result = -1 ENOENT\n"));
        } else if (action == "retval=9") {
          EXPECT_THAT(r.out, HasSubstr("result = 9\n"));
        } else if (action == "syscall=getpid") {
          EXPECT_EQ(Field(r.raw_out, "result"), Field(r.raw_out, "pid"));
        } else if (action == "signal=USR1" && std::string(call) == "execve") {
          // Queued as the call entered, delivered in the new image, whose
          // SIGUSR1 is the default again: it dies of it.
          EXPECT_EQ(r.status, 128 + 10);
        } else {
          ExpectRan(call, r);
          if (action == "signal=USR1") {
            EXPECT_THAT(r.out, HasSubstr("signal = USR1\n"));
          } else if (std::string(call) != "execve") {
            EXPECT_GE(Field(r.raw_out, "elapsed_ms"), 300);
          }
        }
        EXPECT_EQ(r.err, "");  // An injection is not a denial.
        if (mode == Mode::kLog) {
          EXPECT_THAT(r.log, HasSubstr("\"event\":\"inject\""));
          EXPECT_THAT(r.log, HasSubstr("\"rule\":\"--inject=" + spec + "\""));
        }
      }
      for (const Observed& r : runs) {
        EXPECT_EQ(r.status, runs[0].status);
        EXPECT_EQ(r.out, runs[0].out);
      }
    }
  }
}

// An injection passes over the calls its `when` does not name: the policy
// and then the broker decide them, denials reported as the broker's.
TEST_F(DecisionsTest, APassedOverInvocationIsTheBrokers) {
  std::string policy = TempFile("usr.policy", "broker read /usr/**\n");
  Observed r = RunIn(Mode::kDefault,
                     {"--policy=" + policy, "--inject=openat:error=EIO:when=2"},
                     "main", "openat");
  EXPECT_THAT(r.out, HasSubstr("result = -1 EACCES\n"));
  EXPECT_THAT(r.err, HasSubstr("denied by broker default (errno EACCES); "
                               "resolved to " +
                               target_));
}

std::vector<std::pair<int64_t, int64_t>> Intervals(const std::string& out) {
  std::vector<std::pair<int64_t, int64_t>> intervals;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    int64_t start, end;
    if (f.size() == 3 && f[0] == "interval" && absl::SimpleAtoi(f[1], &start) &&
        absl::SimpleAtoi(f[2], &end))
      intervals.push_back({start, end});
  }
  return intervals;
}

// strace's delay_enter= and delay_exit=: two processes delayed 1.5 s at the
// same moment wait at the same time (the event loop parks each and waits
// with a deadline), so their delays overlap instead of adding up.
TEST_F(DecisionsTest, TwoDelayedProcessesWaitAtTheSameTime) {
  for (const char* delay : {"delay_enter=1.5s", "delay_exit=1500000"}) {
    SCOPED_TRACE(delay);
    Outcome o = RunSysgate({"run", absl::StrCat("--inject=getppid:", delay),
                            "--", Tracee("decisions"), "delayed-pair"});
    EXPECT_EQ(o.status, 0) << o.err;
    std::vector<std::pair<int64_t, int64_t>> v = Intervals(o.out);
    ASSERT_EQ(v.size(), 2u) << o.out;
    for (const auto& [start, end] : v) EXPECT_GE(end - start, 1500000000);
    // Each was still waiting when the other started.
    EXPECT_LT(std::max(v[0].first, v[1].first),
              std::min(v[0].second, v[1].second));
  }
}

// While one thread waits out its delay, another's traced calls are served.
TEST_F(DecisionsTest, ADelayNeverHoldsAnotherThread) {
  std::string delay = absl::StrCat(TimeoutScale(), "s");
  Outcome o = RunSysgate({"run", "--inject=getppid:delay_enter=" + delay,
                          "--inject=getuid:retval=9", "--", Tracee("decisions"),
                          "delay-threads", "50"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("served = 50 of 50\n"));
  EXPECT_THAT(o.out, HasSubstr("while the delayed call waited = yes\n"));
  EXPECT_THAT(o.out, HasSubstr("order = fast first\n"));
}

}  // namespace
}  // namespace sysgate::testing
