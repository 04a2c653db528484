#include "tests/sysgate_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sysgate::testing {

std::string Runfile(const std::string& path) {
  const char* srcdir = getenv("TEST_SRCDIR");
  return std::string(srcdir ? srcdir : ".") + "/sysgate/" + path;
}

std::string Sysgate() { return Runfile("cli/sysgate"); }
std::string Tracee(const std::string& name) {
  return Runfile("tests/testcases/" + name);
}

std::string TempFile(const std::string& name, const std::string& content) {
  const char* tmp = getenv("TEST_TMPDIR");
  std::string path = std::string(tmp ? tmp : "/tmp") + "/" + name;
  std::ofstream(path) << content;
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* ByHost(const char* x86_64, const char* arm64) {
#if defined(__x86_64__)
  (void)arm64;
  return x86_64;
#elif defined(__aarch64__)
  (void)x86_64;
  return arm64;
#else
#error "sysgate's tests know x86-64 and arm64"
#endif
}

bool HostIsX86_64() {
#if defined(__x86_64__)
  return true;
#else
  return false;
#endif
}

bool HasVsyscallPage() {
  return ReadFile("/proc/self/maps").find("[vsyscall]") != std::string::npos;
}

int TimeoutScale() {
  const char* scale = getenv("SYSGATE_TEST_TIMEOUT_SCALE");
  int n = scale != nullptr ? atoi(scale) : 1;
  return n > 0 ? n : 1;
}

Outcome RunSysgate(const std::vector<std::string>& args,
                   const std::function<void(pid_t)>& during, int timeout_s) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return {};
  std::vector<std::string> full = {Sysgate()};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    execv(argv[0], argv.data());
    _exit(122);
  }
  close(out[1]);
  close(err[1]);
  std::thread helper;
  if (during) helper = std::thread([&] { during(pid); });
  Outcome o;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::seconds(timeout_s * TimeoutScale());
  struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    int left =
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                             deadline - std::chrono::steady_clock::now())
                             .count());
    if (left <= 0) {
      kill(pid, SIGKILL);
      o.err += "\n[runner: timed out]";
      break;
    }
    if (poll(fds, 2, left) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[65536];
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? o.out : o.err).append(buf, n);
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (helper.joinable()) helper.join();
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return o;
}

pid_t FindProgram(pid_t sysgate, const std::string& name) {
  for (int i = 0; i < 500 * TimeoutScale(); ++i) {
    std::string children = ReadFile(
        absl::StrCat("/proc/", sysgate, "/task/", sysgate, "/children"));
    for (absl::string_view child :
         absl::StrSplit(children, ' ', absl::SkipEmpty())) {
      pid_t pid;
      if (absl::SimpleAtoi(child, &pid) &&
          ReadFile(absl::StrCat("/proc/", pid, "/comm")) == name + "\n")
        return pid;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

int CountLines(const std::string& text, const std::string& needle) {
  int n = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.find(needle) != absl::string_view::npos) ++n;
  }
  return n;
}

}  // namespace sysgate::testing
