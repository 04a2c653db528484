// For the CLI: SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to sysgate by
// another process (kill(1), a supervisor) go to the supervised program.
// Terminal-generated ones (si_code SI_KERNEL) are not repeated: the
// terminal already sent them to the whole foreground process group,
// program included. SIGKILL cannot be caught; PTRACE_O_EXITKILL then kills
// the program with sysgate.
#ifndef SYSGATE_CLI_SIGNAL_FORWARDER_H_
#define SYSGATE_CLI_SIGNAL_FORWARDER_H_

#include <sys/types.h>

#include <atomic>

namespace sysgate::cli {

class SignalForwarder {
 public:
  // `target` is read in the handler; 0 means "nothing started yet".
  explicit SignalForwarder(const std::atomic<pid_t>* target);
  ~SignalForwarder();
  SignalForwarder(const SignalForwarder&) = delete;
  SignalForwarder& operator=(const SignalForwarder&) = delete;
};

}  // namespace sysgate::cli

#endif  // SYSGATE_CLI_SIGNAL_FORWARDER_H_
