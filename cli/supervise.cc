#include "cli/supervise.h"

#include <cstdio>
#include <memory>
#include <utility>

#include "absl/strings/str_format.h"
#include "cli/command.h"
#include "cli/signal_forwarder.h"

namespace sysgate::cli {

Supervised Supervise(SessionOptions options, const std::string& log_path,
                     const std::vector<std::string>& argv) {
  std::unique_ptr<FILE, int (*)(FILE*)> log(nullptr, fclose);
  if (!log_path.empty()) {
    auto opened = Reporter::OpenLog(log_path);
    if (!opened.ok()) return {Fail(opened.status().message())};
    log = std::move(*opened);
  }
  options.log = log.get();
  options.report_stream = stderr;
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
