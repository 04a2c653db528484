#include "cli/supervise.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <utility>

#include "absl/strings/str_format.h"
#include "cli/command.h"
#include "cli/signal_forwarder.h"

namespace sysgate::cli {

Supervised Supervise(SessionOptions options, const std::string& log_path,
                     const std::vector<std::string>& argv) {
  // The terminal is the program's to configure: with TOSTOP set and its own
  // process group in the foreground, a write of sysgate's (a background
  // process then) would stop sysgate with SIGTTOU, or fail with EIO in an
  // orphaned group. A blocked SIGTTOU counts as ignored, and the write
  // goes ahead (drivers/tty/tty_jobctrl.c __tty_check_change). Blocked
  // before any thread exists, so every thread inherits it; the launcher
  // clears the mask for the program.
  sigset_t ttou;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  pthread_sigmask(SIG_BLOCK, &ttou, nullptr);
  LineWriter log;
  if (!log_path.empty()) {
    absl::StatusOr<LineWriter> opened = LineWriter::OpenLog(log_path);
    if (!opened.ok()) return {Fail(opened.status().message())};
    log = std::move(*opened);
    options.log = &log;
    options.log_path = log_path;
  }
  // Report lines go through a description of sysgate's own: the program
  // shares stderr's, and its O_NONBLOCK there would make them fail.
  absl::StatusOr<LineWriter> report_lines =
      LineWriter::OwnDescriptionOf(STDERR_FILENO);
  if (!report_lines.ok()) return {Fail(report_lines.status().message())};
  options.report_lines = &*report_lines;
  options.protect_supervisor = true;
  absl::StatusOr<std::unique_ptr<Session>> session =
      Session::Create(std::move(options));
  if (!session.ok()) {
    // A policy that does not compile says where; anything else is ours.
    return {absl::IsInvalidArgument(session.status())
                ? PolicyFailure(session.status())
                : Fail(session.status().message())};
  }
  for (const std::string& w : (*session)->warnings())
    absl::FPrintF(stderr, "sysgate: warning: %s\n", w);
  SignalForwarder forwarder(&(*session)->started_pid());
  absl::StatusOr<RunOutcome> outcome = (*session)->Run(argv);
  if (!outcome.ok()) return {Fail(outcome.status().message())};
  if (outcome->kind == RunOutcome::Kind::kNotStarted) {
    absl::FPrintF(stderr, "sysgate: %s\n", outcome->message);
    return {outcome->exit_status};
  }
  return {outcome->exit_status, true};
}

}  // namespace sysgate::cli
