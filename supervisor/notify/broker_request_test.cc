#include "supervisor/notify/broker_request.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "gtest/gtest.h"

namespace sysgate {
namespace {

uint64_t Addr(const void* p) { return reinterpret_cast<uint64_t>(p); }

// A call of this thread's own, so the operands are read from this very
// memory, as from a stopped caller's.
SyscallStop Own(std::array<uint64_t, 6> args, AbiId abi = AbiId::kX86_64) {
  SyscallStop s;
  s.tid = static_cast<pid_t>(syscall(SYS_gettid));
  s.abi = abi;
  s.args = args;
  return s;
}

TEST(BrokerRequestTest, OperandsWhereTheRowSays) {
  const char path[] = "/etc/hostname";
  BrokerRequest r = MakeRequest(*FindBrokeredCall("openat"),
                                Own({static_cast<uint64_t>(AT_FDCWD),
                                     Addr(path), O_WRONLY | O_CREAT, 0640}));
  ASSERT_EQ(ReadOperands(r), 0);
  EXPECT_EQ(r.paths[0], "/etc/hostname");
  EXPECT_EQ(r.Dirfd(0), AT_FDCWD);
  EXPECT_EQ(r.flags, static_cast<uint64_t>(O_WRONLY | O_CREAT));
  EXPECT_EQ(r.mode, 0640u);
  // creat has no flags argument: its flags are what it means.
  BrokerRequest creat =
      MakeRequest(*FindBrokeredCall("creat"), Own({Addr(path), 0600}));
  EXPECT_EQ(creat.flags, static_cast<uint64_t>(O_CREAT | O_WRONLY | O_TRUNC));
  EXPECT_EQ(creat.mode, 0600u);
  EXPECT_EQ(creat.Dirfd(0), AT_FDCWD);
}

TEST(BrokerRequestTest, OpenHowIsReadFromMemory) {
  const char path[] = "x";
  struct open_how how = {};
  how.flags = O_RDONLY | O_NOFOLLOW;
  how.resolve = RESOLVE_BENEATH;
  const BrokeredCall& openat2 = *FindBrokeredCall("openat2");
  BrokerRequest r =
      MakeRequest(openat2, Own({3, Addr(path), Addr(&how), sizeof(how)}));
  ASSERT_EQ(ReadOperands(r), 0);
  EXPECT_EQ(r.Dirfd(0), 3);
  EXPECT_EQ(r.flags, static_cast<uint64_t>(O_RDONLY | O_NOFOLLOW));
  EXPECT_EQ(r.resolve, static_cast<uint64_t>(RESOLVE_BENEATH));
  BrokerRequest small =
      MakeRequest(openat2, Own({3, Addr(path), Addr(&how), sizeof(how) - 1}));
  EXPECT_EQ(ReadOperands(small), EINVAL);
}

TEST(BrokerRequestTest, BadPathsFailAsTheKernelWould) {
  const BrokeredCall& stat = *FindBrokeredCall("stat");
  BrokerRequest unmapped = MakeRequest(stat, Own({8, 0}));
  EXPECT_EQ(ReadOperands(unmapped), EFAULT);
  std::string longer(kMaxPath + 10, 'a');
  BrokerRequest too_long = MakeRequest(stat, Own({Addr(longer.c_str()), 0}));
  EXPECT_EQ(ReadOperands(too_long), ENAMETOOLONG);
}

// A 32-bit caller's registers hold garbage above bit 31 that the kernel
// ignores; so does the request.
TEST(BrokerRequestTest, ThirtyTwoBitArgumentsAreWords) {
  BrokerRequest r = MakeRequest(
      *FindBrokeredCall("faccessat"),
      Own({0xdead0000ffffff9cull, 0, 0x100000004ull}, AbiId::kI386));
  EXPECT_EQ(r.Dirfd(0), AT_FDCWD);
  EXPECT_EQ(r.mode, 4u);
}

TEST(BrokerRequestTest, TwoPathsEachWithItsDirectory) {
  constexpr BrokeredCall renameat2 =
      Brokered("renameat2", BrokerOp::kOpen).At(0, 1).At(2, 3).Flags(4);
  const char from[] = "old", to[] = "/new";
  BrokerRequest r = MakeRequest(
      renameat2,
      Own({5, Addr(from), static_cast<uint64_t>(AT_FDCWD), Addr(to), 1}));
  ASSERT_EQ(ReadOperands(r), 0);
  EXPECT_EQ(r.paths[0], "old");
  EXPECT_EQ(r.paths[1], "/new");
  EXPECT_EQ(r.Dirfd(0), 5);
  EXPECT_EQ(r.Dirfd(1), AT_FDCWD);
  EXPECT_EQ(r.flags, 1u);
}

// An AF_UNIX path inside a struct in memory; other families and abstract
// names name no file.
TEST(BrokerRequestTest, APathInsideASocketAddress) {
  constexpr BrokeredCall connect =
      Brokered("connect", BrokerOp::kOpen).SockAddr(1);
  struct sockaddr_un sun = {};
  sun.sun_family = AF_UNIX;
  std::strcpy(sun.sun_path, "/run/app.sock");
  auto read = [&](const void* addr, uint64_t len, std::string* path) {
    BrokerRequest r = MakeRequest(connect, Own({3, Addr(addr), len}));
    int error = ReadOperands(r);
    *path = r.paths[0];
    return error;
  };
  std::string path;
  EXPECT_EQ(read(&sun, sizeof(sun), &path), 0);
  EXPECT_EQ(path, "/run/app.sock");
  // The length bounds the path, as the kernel reads it.
  EXPECT_EQ(read(&sun, offsetof(struct sockaddr_un, sun_path) + 4, &path), 0);
  EXPECT_EQ(path, "/run");
  struct sockaddr_un abstract = sun;
  abstract.sun_path[0] = '\0';
  EXPECT_EQ(read(&abstract, sizeof(abstract), &path), 0);
  EXPECT_EQ(path, "");
  struct sockaddr_in inet = {};
  inet.sin_family = AF_INET;
  EXPECT_EQ(read(&inet, sizeof(inet), &path), 0);
  EXPECT_EQ(path, "");
  EXPECT_EQ(read(&sun, sizeof(sun) + 1, &path), EINVAL);
  EXPECT_EQ(read(nullptr, sizeof(sun), &path), EFAULT);
}

}  // namespace
}  // namespace sysgate
