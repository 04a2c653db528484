// Golden tests for call decoding. FormatCall reads strings and fd paths of
// the stopped thread; here that "thread" is this test process itself
// (process_vm_readv and /proc/PID/fd work on oneself), so the arguments
// are real pointers and real descriptors.
#include "supervisor/report/call_format.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace sysgate {
namespace {

// The host's ABI by default: the flags below come from its headers.
SyscallStop Stop(const char* name, std::array<uint64_t, 6> args,
                 AbiId abi = HostAbis()[0]) {
  SyscallStop s;
  s.tid = getpid();
  s.abi = abi;
  s.nr = GetAbi(abi).Find(name)->nr;
  s.args = args;
  return s;
}

uint64_t Ptr(const void* p) { return reinterpret_cast<uint64_t>(p); }

// arm64 moved four O_ flags (asm/fcntl.h); each ABI's call reads in its own.
TEST(CallFormatTest, OpenFlagsFollowTheAbi) {
  EXPECT_EQ(FormatFlags(0100000, ArgKind::kOpenFlags, AbiId::kX86_64),
            "O_RDONLY|O_LARGEFILE");
  EXPECT_EQ(FormatFlags(0100000, ArgKind::kOpenFlags, AbiId::kArm64),
            "O_RDONLY|O_NOFOLLOW");
  EXPECT_EQ(FormatFlags(040000 | 0400000, ArgKind::kOpenFlags, AbiId::kI386),
            "O_RDONLY|O_NOFOLLOW|O_DIRECT");
  EXPECT_EQ(FormatFlags(040000 | 0400000, ArgKind::kOpenFlags, AbiId::kArm64),
            "O_RDONLY|O_DIRECTORY|O_LARGEFILE");
}

TEST(CallFormatTest, OpenFlagsAndPaths) {
  const char* path = "/etc/shadow";
  EXPECT_EQ(FormatCall(Stop("openat", {static_cast<uint64_t>(AT_FDCWD),
                                       Ptr(path), O_RDONLY | O_CLOEXEC})),
            "openat(AT_FDCWD, \"/etc/shadow\", O_RDONLY|O_CLOEXEC, 0)");
  EXPECT_EQ(FormatCall(Stop("openat",
                            {static_cast<uint64_t>(AT_FDCWD), Ptr(path),
                             O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0640})),
            "openat(AT_FDCWD, \"/etc/shadow\", "
            "O_WRONLY|O_CREAT|O_TRUNC|O_NOFOLLOW, 0640)");
  EXPECT_EQ(FormatFlags(O_RDWR | O_APPEND | 0x80000000u, ArgKind::kOpenFlags,
                        HostAbis()[0]),
            "O_RDWR|O_APPEND|0x80000000");
}

TEST(CallFormatTest, StringsAreEscapedAndTruncated) {
  const char* odd = "a\"b\\c\n\x01";
  EXPECT_EQ(FormatCall(Stop("chdir", {Ptr(odd)})),
            "chdir(\"a\\\"b\\\\c\\n\\1\")");
  std::string long_path(400, 'x');
  EXPECT_EQ(FormatCall(Stop("chdir", {Ptr(long_path.c_str())})),
            "chdir(\"" + std::string(256, 'x') + "\"...)");
  EXPECT_EQ(FormatCall(Stop("chdir", {0})), "chdir(NULL)");
  EXPECT_EQ(FormatCall(Stop("chdir", {0x10})),
            "chdir(0x10)");  // Unreadable: the address.
}

TEST(CallFormatTest, FdsNameTheirFiles) {
  int fd = open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(FormatCall(Stop("close", {static_cast<uint64_t>(fd)})),
            "close(" + std::to_string(fd) + "</dev/null>)");
  EXPECT_EQ(FormatCall(Stop("close", {9999})), "close(9999)");
  close(fd);
}

TEST(CallFormatTest, MmapProtAndFlags) {
  EXPECT_EQ(FormatCall(Stop("mmap", {0, 4096, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS,
                                     static_cast<uint64_t>(-1), 0})),
            "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, "
            "-1, 0)");
  EXPECT_EQ(FormatFlags(0, ArgKind::kProt, HostAbis()[0]), "PROT_NONE");
  EXPECT_EQ(FormatFlags(MAP_SHARED | MAP_FIXED | 0x40000000,
                        ArgKind::kMmapFlags, HostAbis()[0]),
            "MAP_SHARED|MAP_FIXED|0x40000000");
}

TEST(CallFormatTest, SocketFamiliesAndTypes) {
  EXPECT_EQ(
      FormatCall(Stop("socket", {AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0})),
      "socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, 0)");
  EXPECT_EQ(FormatCall(Stop("socket", {AF_UNIX, SOCK_DGRAM, 0})),
            "socket(AF_UNIX, SOCK_DGRAM, 0)");
  EXPECT_EQ(FormatFlags(999, ArgKind::kSocketFamily, HostAbis()[0]), "999");
}

TEST(CallFormatTest, CloneFlags) {
  EXPECT_EQ(FormatFlags(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                            CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
                            CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
                        ArgKind::kCloneFlags, HostAbis()[0]),
            "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_"
            "SYSVSEM|CLONE_SETTLS|"
            "CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
  EXPECT_EQ(FormatFlags(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
                        ArgKind::kCloneFlags, HostAbis()[0]),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
  EXPECT_EQ(FormatFlags(CLONE_NEWUSER, ArgKind::kCloneFlags, HostAbis()[0]),
            "CLONE_NEWUSER");
}

TEST(CallFormatTest, IoctlAndFcntlAndAccess) {
  std::string ioctl = FormatCall(Stop("ioctl", {9999, 0x5401, 0x7ffc0000}));
  EXPECT_EQ(ioctl, "ioctl(9999, 0x5401, 0x7ffc0000)");
  EXPECT_EQ(FormatCall(Stop("fcntl", {9999, F_SETFD, FD_CLOEXEC})),
            "fcntl(9999, F_SETFD, 1)");
  const char* path = "/bin";
  // access is x86's (arm64 has only faccessat).
  EXPECT_EQ(
      FormatCall(Stop("access", {Ptr(path), R_OK | X_OK}, AbiId::kX86_64)),
      "access(\"/bin\", R_OK|X_OK)");
  EXPECT_EQ(FormatCall(Stop("access", {Ptr(path), F_OK}, AbiId::kX86_64)),
            "access(\"/bin\", F_OK)");
  EXPECT_EQ(FormatCall(Stop("unlinkat", {static_cast<uint64_t>(AT_FDCWD),
                                         Ptr(path), AT_REMOVEDIR})),
            "unlinkat(AT_FDCWD, \"/bin\", AT_REMOVEDIR)");
}

TEST(CallFormatTest, CallsWithoutParametersAndUnknownNumbers) {
  EXPECT_EQ(FormatCall(Stop("getuid", {1, 2, 3})), "getuid()");
  SyscallStop unknown;
  unknown.tid = getpid();
  unknown.nr = 9999;
  unknown.args = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(FormatCall(unknown), "syscall_9999(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)");
}

TEST(CallFormatTest, I386ArgumentsAreThirtyTwoBit) {
  EXPECT_EQ(FormatCall(Stop("kill", {0xffffffffu, SIGTERM}, AbiId::kI386)),
            "kill(-1, SIGTERM)");
  // No tracefs description (x86-64 has no socketcall): six raw words.
  EXPECT_EQ(FormatCall(Stop("socketcall", {1, 0}, AbiId::kI386)),
            "socketcall(0x1, 0, 0, 0, 0, 0)");
}

}  // namespace
}  // namespace sysgate
