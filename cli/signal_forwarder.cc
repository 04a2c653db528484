#include "cli/signal_forwarder.h"

#include <errno.h>
#include <signal.h>

#include "arch/process.h"
#include "supervisor/notify/pending_opens.h"

namespace sysgate::cli {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
// Signal handlers cannot carry context: one forwarder per process.
std::atomic<const std::atomic<pid_t>*> g_target{nullptr};

void Forward(int sig, siginfo_t* info, void*) {
  // kill() may set errno, and the handler can run between a failed call
  // and the read of its errno (waitpid's EINTR became a fatal error).
  int saved_errno = errno;
  const std::atomic<pid_t>* target = g_target.load();
  pid_t pid = target ? target->load() : 0;
  bool from_terminal = info->si_code == SI_KERNEL;
  if (pid > 0 && !from_terminal) ForwardSignal(pid, sig);
  // A process parked on an open the broker performs would hold the signal
  // until that open returns: fail its pending opens (EINTR). A terminal's
  // signal went to the whole foreground group: every process's.
  if (pid > 0) InterruptPendingOpens(from_terminal ? 0 : pid);
  errno = saved_errno;
}

}  // namespace

SignalForwarder::SignalForwarder(const std::atomic<pid_t>* target) {
  g_target = target;
  struct sigaction sa = {};
  sa.sa_sigaction = Forward;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int sig : kForwarded) sigaction(sig, &sa, nullptr);
}

SignalForwarder::~SignalForwarder() {
  for (int sig : kForwarded) signal(sig, SIG_DFL);
  g_target = nullptr;
}

}  // namespace sysgate::cli
