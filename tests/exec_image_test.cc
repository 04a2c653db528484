// End to end: what the kernel gives a new image by itself at exec (issue
// 15), decided as the call that would ask for it. Each test patches a
// tracee's program headers (tests/testcases/sidesteps.c) and first checks
// that the kernel really gives the premise, then that sysgate kills the
// image under a policy that would not let that call run as asked.
#include <elf.h>
#include <signal.h>
#include <sys/stat.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;

// A copy of `program` with its PT_GNU_STACK header changed: made PT_NULL
// (an i386 image the kernel then runs with READ_IMPLIES_EXEC), or given
// PF_X (a stack mapped writable and executable).
enum class GnuStack { kRemoved, kExecutable };
template <typename Ehdr, typename Phdr>
bool PatchGnuStack(std::string& image, GnuStack change) {
  const auto* header = reinterpret_cast<const Ehdr*>(image.data());
  bool patched = false;
  for (int i = 0; i < header->e_phnum; ++i) {
    auto* ph = reinterpret_cast<Phdr*>(
        &image[header->e_phoff + i * header->e_phentsize]);
    if (ph->p_type != PT_GNU_STACK) continue;
    if (change == GnuStack::kRemoved) ph->p_type = PT_NULL;
    if (change == GnuStack::kExecutable) ph->p_flags |= PF_X;
    patched = true;
  }
  return patched;
}

std::string WithGnuStack(const std::string& program, GnuStack change) {
  std::string image = ReadFile(Tracee(program));
  bool patched = image[EI_CLASS] == ELFCLASS32
                     ? PatchGnuStack<Elf32_Ehdr, Elf32_Phdr>(image, change)
                     : PatchGnuStack<Elf64_Ehdr, Elf64_Phdr>(image, change);
  EXPECT_TRUE(patched) << program << " has no PT_GNU_STACK";
  std::string copy = TempFile(program + "-patched", image);
  chmod(copy.c_str(), 0755);
  return copy;
}

// The personality the kernel gives an image is decided as if the program
// had asked for it: the built-in default policy denies READ_IMPLIES_EXEC
// (it would make W^X rules' RW mappings executable), so such an image is
// killed before it runs, and reported; a policy that allows it runs it.
TEST(ExecImageTest, APersonalityTheKernelGivesAtExecIsDecided) {
  if (!HasCompatAbi()) GTEST_SKIP() << "no i386 ABI on this machine";
  std::string image = WithGnuStack("sidesteps32", GnuStack::kRemoved);
  std::string allow = TempFile("allow.policy", "default allow\n");
  Outcome allowed =
      RunSysgate({"run", "--policy=" + allow, "--", image, "personality"});
  ASSERT_EQ(allowed.status, 0) << allowed.err;
  EXPECT_EQ(allowed.out, "READ_IMPLIES_EXEC set\n");  // The premise.
  Outcome denied = RunSysgate({"run", "--", image, "personality"});
  EXPECT_EQ(denied.status, 128 + SIGKILL) << denied.err;
  EXPECT_EQ(denied.out, "");
  EXPECT_THAT(denied.err, HasSubstr("personality("));
  EXPECT_THAT(denied.err,
              HasSubstr("the kernel gave the image this personality at exec"));
  // An image with PT_GNU_STACK starts as PER_LINUX: nothing to decide.
  Outcome plain =
      RunSysgate({"run", "--", Tracee("sidesteps32"), "personality"});
  EXPECT_EQ(plain.status, 0) << plain.err;
  EXPECT_EQ(plain.out, "READ_IMPLIES_EXEC clear\n");
}

// An emulated personality is not the one the kernel gave the image: only a
// policy that lets personality(VALUE) run as asked lets the image run.
TEST(ExecImageTest, AnEmulatedPersonalityDoesNotPassAtExec) {
  if (!HasCompatAbi()) GTEST_SKIP() << "no i386 ABI on this machine";
  std::string image = WithGnuStack("sidesteps32", GnuStack::kRemoved);
  std::string emulate =
      TempFile("emulate.policy",
               "default allow\nemulate(0) personality if personality != 0 && "
               "personality != 0xffffffff\n");
  Outcome o =
      RunSysgate({"run", "--policy=" + emulate, "--", image, "personality"});
  EXPECT_EQ(o.status, 128 + SIGKILL) << o.err;
  EXPECT_THAT(o.err, HasSubstr("the kernel gave the image this personality"));
}

// The stack the kernel maps for an image whose PT_GNU_STACK has PF_X is
// writable and executable, as mprotect(RWX) would make it: decided as
// that call, on every ABI.
TEST(ExecImageTest, AnExecutableStackTheKernelGivesIsDecided) {
  std::string wx = TempFile(
      "wx.policy", "default allow\nerrno(EPERM) mprotect if (prot & 6) == 6\n");
  std::string allow = TempFile("allow.policy", "default allow\n");
  std::vector<std::string> programs = {"sidesteps"};
  if (HasCompatAbi()) programs.push_back("sidesteps32");
  for (const std::string& program : programs) {
    SCOPED_TRACE(program);
    std::string image = WithGnuStack(program, GnuStack::kExecutable);
    Outcome allowed =
        RunSysgate({"run", "--policy=" + allow, "--", image, "stack"});
    ASSERT_EQ(allowed.status, 0) << allowed.err;
    EXPECT_EQ(allowed.out, "stack rwx\n");  // The premise.
    Outcome denied =
        RunSysgate({"run", "--policy=" + wx, "--", image, "stack"});
    EXPECT_EQ(denied.status, 128 + SIGKILL) << denied.err;
    EXPECT_EQ(denied.out, "");
    EXPECT_THAT(denied.err, HasSubstr("mprotect("));
    EXPECT_THAT(denied.err, HasSubstr("stack writable and executable"));
    Outcome plain =
        RunSysgate({"run", "--policy=" + wx, "--", Tracee(program), "stack"});
    EXPECT_EQ(plain.status, 0) << plain.err;
    EXPECT_EQ(plain.out, "stack rw-\n");
  }
}

}  // namespace
}  // namespace sysgate::testing
