#include "tracee/launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "arch/capabilities.h"
#include "arch/landlock.h"
#include "arch/process.h"
#include "arch/ptrace.h"
#include "arch/seccomp.h"

extern char** environ;

namespace sysgate {
namespace {

struct FailureMessage {
  int stage;
  int error;
};

// Child side: everything here must be async-signal-safe.
[[noreturn]] void Fail(int fd, LaunchStage stage) {
  FailureMessage msg = {static_cast<int>(stage), errno};
  (void)!write(fd, &msg, sizeof(msg));
  _exit(127);
}

// Sends the listener fd over the socket (SCM_RIGHTS); sendmsg is
// async-signal-safe, and the control buffer lives on this stack.
bool SendFd(int socket, int fd) {
  char byte = 0;
  struct iovec iov = {&byte, 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  memset(control, 0, sizeof(control));
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  return sendmsg(socket, &msg, MSG_NOSIGNAL) == 1;
}

int ReceiveFd(int socket) {
  char byte;
  struct iovec iov = {&byte, 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  struct cmsghdr* c = n == 1 ? CMSG_FIRSTHDR(&msg) : nullptr;
  if (c == nullptr || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return fd;
}

// The listener from the child, keeping the child moving meanwhile. The
// child sends it before any call of its own can stop in us, but a runtime's
// fork handler can start a thread in it first (TSan's does): a clone event
// and a new-thread stop that nobody would resume while we only read the
// socket. Such stops are resumed as they come (waitid with WSTOPPED only,
// so no exit is reaped here); those threads die at the exec. -1 on EOF: the
// child failed first.
int ReceiveListener(int socket) {
  while (true) {
    struct pollfd readable = {socket, POLLIN, 0};
    int n = poll(&readable, 1, 20);
    if (n > 0) return ReceiveFd(socket);
    if (n < 0 && errno != EINTR) return -1;
    for (const StoppedChild& stop : TakeStoppedChildren()) {
      // si_status: the stop signal, with a PTRACE_EVENT_* above it.
      int signal = stop.status & 0xff;
      bool event = (stop.status >> 8) != 0 || signal == (SIGTRAP | 0x80);
      ptrace::Cont(stop.pid, event ? 0 : signal).IgnoreError();  // Gone: fine.
    }
  }
}

// `last_step` execs (or runs a function and exits); it never returns.
[[noreturn]] void RunChild(int go_fd, int error_fd, int listener_socket,
                           int landlock_ruleset, bool drop_reading_others,
                           const sock_fprog* filter,
                           const sock_fprog* notify_filter,
                           unsigned long notify_flags,
                           const std::function<void(int error_fd)>& last_step) {
  // Signals sysgate blocks or catches must not leak into the program.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  char go;
  while (read(go_fd, &go, 1) < 0 && errno == EINTR) {
  }
  close(go_fd);
  if (SetNoNewPrivs() != 0) Fail(error_fd, LaunchStage::kNoNewPrivs);
  for (int cap : kCapabilitiesReachingSysgate) {
    if (DropCapability(cap) != 0) Fail(error_fd, LaunchStage::kCapabilities);
  }
  if (drop_reading_others) {
    for (int cap : kCapabilitiesReadingOtherProcesses) {
      if (DropCapability(cap) != 0) Fail(error_fd, LaunchStage::kCapabilities);
    }
  }
  if (landlock_ruleset >= 0) {
    if (landlock::RestrictSelf(landlock_ruleset) != 0)
      Fail(error_fd, LaunchStage::kLandlock);
    close(landlock_ruleset);
  }
  if (notify_filter != nullptr) {
    // First, so that the calls it notifies are not first stopped by the
    // main filter; the listener leaves before the main filter is in.
    long listener = InstallFilter(notify_flags, notify_filter);
    if (listener < 0 || !SendFd(listener_socket, static_cast<int>(listener))) {
      Fail(error_fd, LaunchStage::kNotifyFilter);
    }
    close(static_cast<int>(listener));
    close(listener_socket);
  }
  if (InstallFilter(0, filter) != 0) Fail(error_fd, LaunchStage::kSeccomp);
  last_step(error_fd);
  _exit(127);
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const std::string& s : strings)
    out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

absl::StatusOr<std::string> FindProgram(const std::string& program,
                                        const std::string& path_env) {
  auto check = [](const std::string& candidate) -> absl::Status {
    struct stat st;
    if (stat(candidate.c_str(), &st) != 0)
      return absl::NotFoundError("No such file or directory");
    if (S_ISDIR(st.st_mode))
      return absl::PermissionDeniedError("Is a directory");
    if (access(candidate.c_str(), X_OK) != 0)
      return absl::PermissionDeniedError("Permission denied");
    return absl::OkStatus();
  };
  if (program.empty()) return absl::NotFoundError("No such file or directory");
  if (program.find('/') != std::string::npos) {
    absl::Status s = check(program);
    if (!s.ok()) return s;
    return program;
  }
  absl::Status first_error = absl::NotFoundError("No such file or directory");
  for (absl::string_view dir : absl::StrSplit(
           path_env.empty() ? "/usr/local/bin:/usr/bin:/bin" : path_env, ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", program);
    absl::Status s = check(candidate);
    if (s.ok()) return candidate;
    if (absl::IsPermissionDenied(s) && absl::IsNotFound(first_error))
      first_error = s;
  }
  return first_error;
}

Launcher::~Launcher() {
  if (error_read_fd_ >= 0) close(error_read_fd_);
  if (listener_ >= 0) close(listener_);
  if (landlock_ruleset_ >= 0) close(landlock_ruleset_);
}

void Launcher::ConfineWithLandlock(int ruleset_fd) {
  if (landlock_ruleset_ >= 0) close(landlock_ruleset_);
  landlock_ruleset_ = ruleset_fd;
}

absl::StatusOr<pid_t> Launcher::Start(const std::string& path,
                                      const std::vector<std::string>& argv,
                                      const std::vector<std::string>& env,
                                      const BpfProgram& filter,
                                      unsigned long ptrace_options,
                                      const BpfProgram* notify_filter) {
  // Prepared before the fork: the child only reads them.
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  char* const* envp = env.empty() ? environ : c_env.data();
  const char* c_path = path.c_str();
  return Spawn(filter, ptrace_options, notify_filter, [&](int error_fd) {
    execve(c_path, c_argv.data(), envp);
    Fail(error_fd, LaunchStage::kExec);
  });
}

absl::StatusOr<pid_t> Launcher::StartFunction(const std::function<int()>& fn,
                                              const BpfProgram& filter,
                                              unsigned long ptrace_options,
                                              const BpfProgram* notify_filter) {
  return Spawn(filter, ptrace_options, notify_filter, [&](int) {
    fflush(nullptr);
    _exit(fn());
  });
}

absl::StatusOr<pid_t> Launcher::Spawn(
    const BpfProgram& filter, unsigned long ptrace_options,
    const BpfProgram* notify_filter,
    const std::function<void(int error_fd)>& last_step) {
  sock_fprog prog = {static_cast<unsigned short>(filter.size()),
                     const_cast<sock_filter*>(filter.data())};
  sock_fprog notify_prog = {};
  int sockets[2] = {-1, -1};
  if (notify_filter != nullptr) {
    notify_prog = {static_cast<unsigned short>(notify_filter->size()),
                   const_cast<sock_filter*>(notify_filter->data())};
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
      return absl::ErrnoToStatus(errno, "socketpair");
    }
  }
  int go[2], error[2];
  if (pipe2(go, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  if (pipe2(error, O_CLOEXEC) != 0) {
    int saved = errno;
    close(go[0]);
    close(go[1]);
    return absl::ErrnoToStatus(saved, "pipe2");
  }
  pid_t pid = fork();
  if (pid < 0) {
    int saved = errno;
    for (int fd : {go[0], go[1], error[0], error[1]}) close(fd);
    return absl::ErrnoToStatus(saved, "fork");
  }
  if (pid == 0) {
    close(go[1]);
    close(error[0]);
    if (sockets[0] >= 0) close(sockets[0]);
    RunChild(go[0], error[1], sockets[1], landlock_ruleset_,
             drop_reading_others_, &prog,
             notify_filter ? &notify_prog : nullptr, notify_flags_, last_step);
  }
  if (landlock_ruleset_ >= 0) {
    close(landlock_ruleset_);
    landlock_ruleset_ = -1;
  }
  close(go[0]);
  close(error[1]);
  if (sockets[1] >= 0) close(sockets[1]);
  error_read_fd_ = error[0];
  absl::Status seized = ptrace::Seize(pid, ptrace_options);
  if (seized.ok() && undumpable_) seized = MakeUndumpable();
  if (!seized.ok()) {
    KillAndReap(pid);
    close(go[1]);
    return seized;
  }
  // Closing the write end releases the child (its read returns 0).
  close(go[1]);
  if (sockets[0] >= 0) {
    listener_ = ReceiveListener(sockets[0]);
    close(sockets[0]);
  }
  return pid;
}

LaunchFailure Launcher::CollectFailure() {
  LaunchFailure failure;
  if (error_read_fd_ < 0) return failure;
  FailureMessage msg;
  ssize_t n;
  do {
    n = read(error_read_fd_, &msg, sizeof(msg));
  } while (n < 0 && errno == EINTR);
  if (n == sizeof(msg)) {
    failure.stage = static_cast<LaunchStage>(msg.stage);
    failure.error = msg.error;
  }
  close(error_read_fd_);
  error_read_fd_ = -1;
  return failure;
}

}  // namespace sysgate
