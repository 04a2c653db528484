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

// A file in the test's runfiles, e.g. "cli/sysgate".
std::string Runfile(const std::string& path);
std::string Sysgate();
std::string Tracee(const std::string& name);  // tests/testcases/NAME
// A fresh file under TEST_TMPDIR holding `content`.
std::string TempFile(const std::string& name, const std::string& content);
std::string ReadFile(const std::string& path);

// How many times slower than here this machine runs, from
// SYSGATE_TEST_TIMEOUT_SCALE (tests/qemu/run sets it under emulation): a
// factor for the tests' give-up deadlines, never for what they assert.
int TimeoutScale();

// Runs `sysgate ARGS...`; `during` (if set) runs while it does, given its
// pid. Gives up (and fails the status) after `timeout_s` seconds, scaled by
// TimeoutScale().
Outcome RunSysgate(const std::vector<std::string>& args,
                   const std::function<void(pid_t)>& during = nullptr,
                   int timeout_s = 120);

// sysgate's child whose name (comm) is `name`, waiting up to 5 s for it
// (scaled; its first child may be the short-lived kernel-probe helper); 0
// if none.
pid_t FindProgram(pid_t sysgate, const std::string& name);

// What differs between the hosts the suite runs on (x86-64 here and in the
// x86-64 VM, arm64 in the arm64 VM: tests/qemu/run).
//   ByHost("167", "224")  the x86-64 or the arm64 spelling of a fact
//   HostIsX86_64()        x86-64 only: i386 and `int $0x80`, x32, vsyscall
//   HasCompatAbi()        whether tests/testcases:calls32 runs under an ABI
//                         sysgate supervises: i386 on x86-64; on arm64 it
//                         is an AArch32 program, which sysgate refuses
const char* ByHost(const char* x86_64, const char* arm64);
bool HostIsX86_64();
inline bool HasCompatAbi() { return HostIsX86_64(); }
#define SYSGATE_SKIP_WITHOUT_COMPAT_ABI()                                 \
  if (!::sysgate::testing::HasCompatAbi())                                \
  GTEST_SKIP() << "this host has no 32-bit ABI under sysgate (arm64: an " \
                  "AArch32 program is refused, see CompatTest)"
#define SYSGATE_SKIP_UNLESS_X86_64(what)   \
  if (!::sysgate::testing::HostIsX86_64()) \
  GTEST_SKIP() << what " exists only on x86-64"

// Whether this process has the x86-64 vsyscall page (vsyscall=xonly or
// emulate; not with vsyscall=none, and never on arm64).
bool HasVsyscallPage();
#define SYSGATE_SKIP_WITHOUT_VSYSCALL()                           \
  if (!::sysgate::testing::HasVsyscallPage())                     \
  GTEST_SKIP() << "no vsyscall page here (arm64, or x86-64 with " \
                  "vsyscall=none)"

// Lines of `text` that contain `needle`.
int CountLines(const std::string& text, const std::string& needle);

}  // namespace sysgate::testing

#endif  // SYSGATE_TESTS_SYSGATE_RUNNER_H_
