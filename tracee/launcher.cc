#include "tracee/launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "arch/ptrace.h"

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

[[noreturn]] void RunChild(int go_fd, int error_fd, const char* path,
                           char* const argv[], char* const envp[],
                           const sock_fprog* filter) {
  // Signals sysgate blocks or catches must not leak into the program.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  char go;
  while (read(go_fd, &go, 1) < 0 && errno == EINTR) {
  }
  close(go_fd);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    Fail(error_fd, LaunchStage::kNoNewPrivs);
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter) != 0)
    Fail(error_fd, LaunchStage::kSeccomp);
  execve(path, argv, envp);
  Fail(error_fd, LaunchStage::kExec);
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
}

absl::StatusOr<pid_t> Launcher::Start(const std::string& path,
                                      const std::vector<std::string>& argv,
                                      const std::vector<std::string>& env,
                                      const BpfProgram& filter,
                                      unsigned long ptrace_options) {
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  char* const* envp = env.empty() ? environ : c_env.data();
  sock_fprog prog = {static_cast<unsigned short>(filter.size()),
                     const_cast<sock_filter*>(filter.data())};
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
    RunChild(go[0], error[1], path.c_str(), c_argv.data(), envp, &prog);
  }
  close(go[0]);
  close(error[1]);
  error_read_fd_ = error[0];
  absl::Status seized = ptrace::Seize(pid, ptrace_options);
  if (!seized.ok()) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    close(go[1]);
    return seized;
  }
  // Closing the write end releases the child (its read returns 0).
  close(go[1]);
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
