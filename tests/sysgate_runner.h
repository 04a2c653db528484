// Runs the real sysgate binary in end-to-end tests and captures what it did.
#ifndef SYSGATE_TESTS_SYSGATE_RUNNER_H_
#define SYSGATE_TESTS_SYSGATE_RUNNER_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace sysgate::testing {

struct Outcome {
  int status = -1;  // Shell-style exit status of sysgate.
  std::string out;
  std::string err;
};

// A file in the test's runfiles, e.g. "supervisor/sysgate".
std::string Runfile(const std::string& path);
std::string Sysgate();
std::string Tracee(const std::string& name);  // tests/testcases/NAME
// A fresh file under TEST_TMPDIR holding `content`.
std::string TempFile(const std::string& name, const std::string& content);
std::string ReadFile(const std::string& path);

// Runs `sysgate ARGS...`; `during` (if set) runs while it does, given its
// pid. Gives up (and fails the status) after `timeout_s` seconds.
Outcome RunSysgate(const std::vector<std::string>& args,
                   const std::function<void(pid_t)>& during = nullptr,
                   int timeout_s = 120);

// sysgate's child whose name (comm) is `name`, waiting up to 5 s for it
// (its first child may be the short-lived kernel-probe helper); 0 if none.
pid_t FindProgram(pid_t sysgate, const std::string& name);

// Lines of `text` that contain `needle`.
int CountLines(const std::string& text, const std::string& needle);

}  // namespace sysgate::testing

#endif  // SYSGATE_TESTS_SYSGATE_RUNNER_H_
