#include "supervisor/notify/broker_request.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

// Copies below 4 GiB, where a 32-bit ABI's pointers reach them (MakeRequest
// cuts its arguments to 32 bits, as the kernel reads them). Null if no
// such memory could be mapped.
void* LowCopy(const void* data, size_t size) {
  static char* next = nullptr;
  if (next == nullptr) {
    void* at = mmap(reinterpret_cast<void*>(0x30000000), 1 << 16,
                    PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (at == MAP_FAILED) return nullptr;
    next = static_cast<char*>(at);
  }
  char* out = next;
  std::memcpy(out, data, size);
  next += (size + 15) & ~size_t{15};
  return out;
}
template <typename T, size_t N>
T* Low(const T (&data)[N]) {
  return static_cast<T*>(LowCopy(data, sizeof(data)));
}

// The operands of the calls that change files, in each ABI's widths.
TEST(BrokerRequestTest, ChangeOperandsInEachAbisWidths) {
  const char* path = Low("/tmp/x");
  ASSERT_NE(path, nullptr);
  // i386's chown is chown16: a 16-bit -1 is -1; chown32 and x86-64's are
  // 32-bit already.
  BrokerRequest chown16 =
      MakeRequest(*FindBrokeredCall("chown"),
                  Own({Addr(path), 0xffff, 0x10064}, AbiId::kI386));
  ASSERT_EQ(ReadOperands(chown16), 0);
  EXPECT_EQ(chown16.uid, 0xffffffffu);
  EXPECT_EQ(chown16.gid, 0x64u);
  BrokerRequest chown = MakeRequest(*FindBrokeredCall("chown"),
                                    Own({Addr(path), 0xffff, 0x10064}));
  ASSERT_EQ(ReadOperands(chown), 0);
  EXPECT_EQ(chown.uid, 0xffffu);
  EXPECT_EQ(chown.gid, 0x10064u);
  // truncate64's loff_t comes in two words, low first.
  BrokerRequest t64 = MakeRequest(*FindBrokeredCall("truncate64"),
                                  Own({Addr(path), 0x2, 0x1}, AbiId::kI386));
  ASSERT_EQ(ReadOperands(t64), 0);
  EXPECT_EQ(t64.length, 0x100000002ll);
  BrokerRequest t32 = MakeRequest(*FindBrokeredCall("truncate"),
                                  Own({Addr(path), 0xfffffffe}, AbiId::kI386));
  ASSERT_EQ(ReadOperands(t32), 0);
  EXPECT_EQ(t32.length, -2);
  // symlink's target is read, not resolved.
  const char* target = Low("../anywhere");
  BrokerRequest sym = MakeRequest(*FindBrokeredCall("symlink"),
                                  Own({Addr(target), Addr(path)}));
  ASSERT_EQ(ReadOperands(sym), 0);
  EXPECT_EQ(sym.text, "../anywhere");
  EXPECT_EQ(sym.paths[0], "/tmp/x");
}

TEST(BrokerRequestTest, TimesInEachLayout) {
  const char* path = Low("/tmp/x");
  ASSERT_NE(path, nullptr);
  // i386's utimes: struct timeval[2] in 32-bit words.
  const int32_t tv[4] = {100, 5, -1, 999999};
  int32_t* tv32 = Low(tv);
  BrokerRequest utimes = MakeRequest(
      *FindBrokeredCall("utimes"), Own({Addr(path), Addr(tv32)}, AbiId::kI386));
  ASSERT_EQ(ReadOperands(utimes), 0);
  ASSERT_TRUE(utimes.has_times);
  EXPECT_EQ(utimes.times[0].tv_sec, 100);
  EXPECT_EQ(utimes.times[0].tv_nsec, 5000);
  EXPECT_EQ(utimes.times[1].tv_sec, -1);
  EXPECT_EQ(utimes.times[1].tv_nsec, 999999000);
  const int32_t too_many_us[4] = {0, 1000000, 0, 0};  // utimes(2): EINVAL.
  int32_t* bad = Low(too_many_us);
  BrokerRequest invalid = MakeRequest(
      *FindBrokeredCall("utimes"), Own({Addr(path), Addr(bad)}, AbiId::kI386));
  EXPECT_EQ(ReadOperands(invalid), EINVAL);
  // utime: two seconds; utimensat_time64: 64-bit timespecs on i386 too.
  int64_t utimbuf[2] = {7, 8};
  BrokerRequest utime =
      MakeRequest(*FindBrokeredCall("utime"), Own({Addr(path), Addr(utimbuf)}));
  ASSERT_EQ(ReadOperands(utime), 0);
  EXPECT_EQ(utime.times[1].tv_sec, 8);
  EXPECT_EQ(utime.times[1].tv_nsec, 0);
  const int64_t ts[4] = {1, UTIME_OMIT, 2, UTIME_NOW};
  int64_t* ts64 = Low(ts);
  BrokerRequest t64 = MakeRequest(
      *FindBrokeredCall("utimensat_time64"),
      Own({static_cast<uint64_t>(AT_FDCWD), Addr(path), Addr(ts64), 0},
          AbiId::kI386));
  ASSERT_EQ(ReadOperands(t64), 0);
  EXPECT_EQ(t64.times[0].tv_nsec, UTIME_OMIT);
  EXPECT_EQ(t64.times[1].tv_nsec, UTIME_NOW);
  // No times: now. A null path: the descriptor's own, nothing read.
  BrokerRequest now =
      MakeRequest(*FindBrokeredCall("utimensat"),
                  Own({static_cast<uint64_t>(AT_FDCWD), Addr(path), 0, 0}));
  ASSERT_EQ(ReadOperands(now), 0);
  EXPECT_FALSE(now.has_times);
  BrokerRequest held =
      MakeRequest(*FindBrokeredCall("utimensat"), Own({3, 0, Addr(ts64), 0}));
  ASSERT_EQ(ReadOperands(held), 0);
  EXPECT_TRUE(held.null_path);
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
  // Longer than sockaddr_storage: EINVAL (move_addr_to_kernel); the raw
  // bytes are kept for sysgate's own call.
  struct sockaddr_storage storage[2] = {};
  std::memcpy(storage, &sun, sizeof(sun));
  EXPECT_EQ(read(storage, sizeof(storage[0]), &path), 0);
  EXPECT_EQ(path, "/run/app.sock");
  EXPECT_EQ(read(storage, sizeof(storage[0]) + 1, &path), EINVAL);
  EXPECT_EQ(read(nullptr, sizeof(sun), &path), EFAULT);
}

}  // namespace
}  // namespace sysgate
