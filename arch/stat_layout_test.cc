#include "arch/stat_layout.h"

#include <errno.h>
#include <sys/sysmacros.h>

#include <cstdint>
#include <cstring>

#include "gtest/gtest.h"

namespace sysgate {
namespace {

template <typename T>
T At(const std::string& bytes, size_t offset) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof(v));
  return v;
}

struct stat Sample() {
  struct stat st;
  std::memset(&st, 0, sizeof(st));
  st.st_dev = makedev(8, 1);
  st.st_ino = 0x123456789ull;
  st.st_mode = 0100644;
  st.st_nlink = 2;
  st.st_uid = 1000;
  st.st_gid = 100000;  // Does not fit 16 bits.
  st.st_rdev = makedev(1, 11);
  st.st_size = 5000000000ll;
  st.st_blksize = 4096;
  st.st_blocks = 9765632;
  st.st_atim = {1700000000, 1};
  st.st_mtim = {1700000001, 2};
  st.st_ctim = {1700000002, 3};
  return st;
}

// arch/x86/include/asm/ia32.h's packed struct stat64, as cp_stat64 fills it.
TEST(StatLayoutTest, I386Stat64) {
  StatBuffer b = StatBufferFor(AbiId::kI386, "stat64", Sample());
  ASSERT_EQ(b.error, 0);
  ASSERT_EQ(b.bytes.size(), 96u);
  EXPECT_EQ(At<uint64_t>(b.bytes, 0), (8u << 8) | 1u);
  EXPECT_EQ(At<uint32_t>(b.bytes, 12), 0x23456789u);  // __st_ino, truncated
  EXPECT_EQ(At<uint32_t>(b.bytes, 16), 0100644u);
  EXPECT_EQ(At<uint32_t>(b.bytes, 20), 2u);
  EXPECT_EQ(At<uint32_t>(b.bytes, 24), 1000u);
  EXPECT_EQ(At<uint32_t>(b.bytes, 28), 100000u);
  EXPECT_EQ(At<uint64_t>(b.bytes, 32), (1u << 8) | 11u);
  EXPECT_EQ(At<int64_t>(b.bytes, 44), 5000000000ll);
  EXPECT_EQ(At<uint32_t>(b.bytes, 52), 4096u);
  EXPECT_EQ(At<uint64_t>(b.bytes, 56), 9765632u);
  EXPECT_EQ(At<uint32_t>(b.bytes, 64), 1700000000u);
  EXPECT_EQ(At<uint32_t>(b.bytes, 68), 1u);
  EXPECT_EQ(At<uint32_t>(b.bytes, 76), 2u);
  EXPECT_EQ(At<uint32_t>(b.bytes, 84), 3u);
  EXPECT_EQ(At<uint64_t>(b.bytes, 88), 0x123456789ull);
  EXPECT_EQ(StatBufferFor(AbiId::kI386, "fstatat64", Sample()).bytes, b.bytes);
}

// struct compat_stat: what does not fit is EOVERFLOW, as cp_compat_stat.
TEST(StatLayoutTest, I386OldStatOverflowsAsTheKernelDoes) {
  EXPECT_EQ(StatBufferFor(AbiId::kI386, "stat", Sample()).error, EOVERFLOW);
  struct stat small = Sample();
  small.st_ino = 77;
  small.st_size = 1234;
  StatBuffer b = StatBufferFor(AbiId::kI386, "lstat", small);
  ASSERT_EQ(b.error, 0);
  ASSERT_EQ(b.bytes.size(), 64u);
  EXPECT_EQ(At<uint32_t>(b.bytes, 0), (8u << 8) | 1u);
  EXPECT_EQ(At<uint32_t>(b.bytes, 4), 77u);
  EXPECT_EQ(At<uint16_t>(b.bytes, 8), 0100644u);
  EXPECT_EQ(At<uint16_t>(b.bytes, 12), 1000u);
  EXPECT_EQ(At<uint16_t>(b.bytes, 14), 65534u);  // The overflow gid.
  EXPECT_EQ(At<uint32_t>(b.bytes, 20), 1234u);
  EXPECT_EQ(At<uint32_t>(b.bytes, 40), 1700000001u);
  // A device number of more than 8 bits a part fits (/dev/userfaultfd is
  // 10:257).
  small.st_rdev = makedev(10, 257);
  StatBuffer dev = StatBufferFor(AbiId::kI386, "stat", small);
  ASSERT_EQ(dev.error, 0);
  EXPECT_EQ(At<uint32_t>(dev.bytes, 16),
            (257u & 0xff) | (10u << 8) | ((257u & ~0xffu) << 12));
}

TEST(StatLayoutTest, TheHostsOwnAndNothingElse) {
  struct stat st = Sample();
  StatBuffer host = StatBufferFor(HostAbis()[0], "newfstatat", st);
  ASSERT_EQ(host.bytes.size(), sizeof(st));
  EXPECT_EQ(std::memcmp(host.bytes.data(), &st, sizeof(st)), 0);
  EXPECT_EQ(StatBufferFor(AbiId::kI386, "statx", st).error, ENOSYS);
}

// i386's statfs answers: compat_statfs (64 bytes, EOVERFLOW for counts
// over 32 bits, "unknown" inode counts passed on) and the packed
// compat_statfs64 (84 bytes, whose size argument must match).
TEST(StatLayoutTest, StatfsInI386sLayouts) {
  struct statfs fs = {};
  fs.f_type = 0xef53;
  fs.f_bsize = 4096;
  fs.f_blocks = 1000;
  fs.f_files = ~0ULL;
  fs.f_namelen = 255;
  StatBuffer small = StatfsBufferFor(AbiId::kI386, "statfs", fs, 0);
  ASSERT_EQ(small.error, 0);
  ASSERT_EQ(small.bytes.size(), 64u);
  EXPECT_EQ(At<uint32_t>(small.bytes, 0), 0xef53u);
  EXPECT_EQ(At<uint32_t>(small.bytes, 4), 4096u);
  EXPECT_EQ(At<uint32_t>(small.bytes, 8), 1000u);
  EXPECT_EQ(At<uint32_t>(small.bytes, 20), 0xffffffffu);
  EXPECT_EQ(At<uint32_t>(small.bytes, 36), 255u);
  StatBuffer wide = StatfsBufferFor(AbiId::kI386, "statfs64", fs, 84);
  ASSERT_EQ(wide.error, 0);
  ASSERT_EQ(wide.bytes.size(), 84u);
  EXPECT_EQ(At<uint64_t>(wide.bytes, 8), 1000u);
  EXPECT_EQ(At<uint64_t>(wide.bytes, 32), ~0ULL);
  EXPECT_EQ(At<uint32_t>(wide.bytes, 56), 255u);
  EXPECT_EQ(StatfsBufferFor(AbiId::kI386, "statfs64", fs, 88).error, EINVAL);
  fs.f_blocks = 1ULL << 33;
  EXPECT_EQ(StatfsBufferFor(AbiId::kI386, "statfs", fs, 0).error, EOVERFLOW);
  EXPECT_EQ(StatfsBufferFor(AbiId::kI386, "statfs64", fs, 84).error, 0);
  StatBuffer host = StatfsBufferFor(HostAbis()[0], "statfs", fs, 0);
  ASSERT_EQ(host.bytes.size(), sizeof(fs));
  EXPECT_EQ(std::memcmp(host.bytes.data(), &fs, sizeof(fs)), 0);
}

}  // namespace
}  // namespace sysgate
