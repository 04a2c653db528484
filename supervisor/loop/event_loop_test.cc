#include "supervisor/loop/event_loop.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "arch/kernel_probe.h"
#include "arch/procfs.h"
#include "filters/parser.h"
#include "gtest/gtest.h"
#include "tracee/launcher.h"

namespace sysgate {
namespace {

// A failure of sysgate's own in the middle of a run: every process of the
// program is killed and reaped, not only the one it started.
TEST(EventLoopTest, AnErrorOfSysgatesKillsAndReapsEveryTracee) {
  EngineConfig config;
  config.policy = *ParsePolicy("default allow\n", "t.policy");
  absl::StatusOr<std::unique_ptr<DecisionEngine>> engine =
      DecisionEngine::Create(config);
  ASSERT_TRUE(engine.ok()) << engine.status();
  SyscallAccess access(ProbeKernelFeatures());
  Reporter reporter(ReportOptions(), nullptr, nullptr);
  Handoffs handoffs;
  std::vector<pid_t> execed;
  LoopOptions options;
  // The shell, then each of its two children: the third exec fails.
  options.exec_hook = [&](pid_t tid) -> absl::Status {
    execed.push_back(tid);
    if (execed.size() == 3) return absl::InternalError("sysgate failed");
    return absl::OkStatus();
  };
  EventLoop loop(**engine, access, reporter, handoffs, options);
  Launcher launcher;
  absl::StatusOr<pid_t> pid =
      launcher.Start("/bin/sh", {"sh", "-c", "sleep 60 & sleep 60 & wait"}, {},
                     (*engine)->filter(), TraceOptions());
  ASSERT_TRUE(pid.ok()) << pid.status();
  absl::StatusOr<WaitStatus> status = loop.Run(*pid);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.status().message(), "sysgate failed");
  ASSERT_EQ(execed.size(), 3u);
  // Each is dead: gone, a zombie its real parent's reaper (init, once the
  // killed shell is gone) has yet to collect, or being collected (X,
  // EXIT_DEAD, while release_task runs); sysgate took every exit.
  for (pid_t p : execed) {
    std::string stat = ReadProcText(p, "stat");
    size_t state = stat.rfind(") ");
    std::string letter = stat.empty() ? "" : stat.substr(state + 2, 1);
    EXPECT_TRUE(letter.empty() || letter == "Z" || letter == "X")
        << "pid " << p << ": " << stat;
  }
  // The shell was sysgate's own child: reaped.
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG | __WALL), -1);
  EXPECT_EQ(errno, ECHILD);
}

}  // namespace
}  // namespace sysgate
