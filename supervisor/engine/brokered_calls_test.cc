#include "supervisor/engine/brokered_calls.h"

#include <fcntl.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "arch/abi.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

// Each operand the table names is what the kernel's own signature (the
// ABI tables, from tracefs) says sits there, on every ABI with the call.
void ExpectOperandsMatchTheKernel(const BrokeredCall& row) {
  bool somewhere = false;
  for (AbiId id : AllAbis()) {
    const SyscallDesc* desc = GetAbi(id).Find(row.name);
    if (desc == nullptr) continue;
    somewhere = true;
    if (!desc->described) continue;
    auto kind = [&](int8_t arg) { return desc->params.at(arg).kind; };
    for (int i = 0; i < row.path_count(); ++i) {
      EXPECT_EQ(kind(row.paths[i].path), ArgKind::kPath) << row.name;
      if (row.paths[i].dirfd != kNoArg) {
        ArgKind k = kind(row.paths[i].dirfd);
        EXPECT_TRUE(k == ArgKind::kDirFd || k == ArgKind::kFd) << row.name;
      }
    }
    for (int8_t fd : {row.held_fd, row.through}) {
      if (fd != kNoArg) {
        EXPECT_EQ(kind(fd), ArgKind::kFd) << row.name;
      }
    }
    for (int8_t pointer :
         {row.buffer, row.how, row.sockaddr, row.data, row.messages}) {
      if (pointer != kNoArg) {
        EXPECT_EQ(kind(pointer), ArgKind::kPointer) << row.name;
      }
    }
  }
  EXPECT_TRUE(somewhere) << row.name << " is on no ABI";
}

TEST(BrokeredCallsTest, OperandsMatchTheKernelsSignatures) {
  for (const BrokeredCall& row : BrokeredCalls()) {
    EXPECT_EQ(FindBrokeredCall(row.name), &row);
    // Every row names a file: by a path, a held descriptor, or (the socket
    // calls) an address that may be an AF_UNIX path.
    EXPECT_TRUE(row.path_count() >= 1 || row.held_fd != kNoArg ||
                row.sockaddr != kNoArg || row.messages != kNoArg ||
                row.op == BrokerOp::kSocketCall)
        << row.name;
    ExpectOperandsMatchTheKernel(row);
  }
  EXPECT_EQ(FindBrokeredCall("read"), nullptr);
}

TEST(BrokeredCallsTest, OperandsByRole) {
  EXPECT_EQ(DescribeOperands(*FindBrokeredCall("openat")),
            "openat(dirfd, path, flags, mode)");
  EXPECT_EQ(DescribeOperands(*FindBrokeredCall("statx")),
            "statx(dirfd, path, flags, mask, buf)");
  EXPECT_EQ(DescribeOperands(*FindBrokeredCall("execveat")),
            "execveat(dirfd, path, ..., ..., flags)");
  EXPECT_EQ(FindBrokeredCall("creat")->implied_flags,
            static_cast<uint64_t>(O_CREAT | O_WRONLY | O_TRUNC));
}

// The table carries what complete mediation needs: calls with two paths,
// each with its own directory fd, and a path inside a struct in memory.
TEST(BrokeredCallsTest, RowsCarryTwoPathsAndASocketAddress) {
  constexpr BrokeredCall renameat2 =
      Brokered("renameat2", BrokerOp::kOpen).At(0, 1).At(2, 3).Flags(4);
  EXPECT_EQ(renameat2.path_count(), 2);
  EXPECT_EQ(renameat2.paths[1].dirfd, 2);
  EXPECT_EQ(DescribeOperands(renameat2),
            "renameat2(dirfd, path, dirfd2, path2, flags)");
  ExpectOperandsMatchTheKernel(renameat2);
  constexpr BrokeredCall linkat =
      Brokered("linkat", BrokerOp::kOpen).At(0, 1).At(2, 3).Flags(4);
  ExpectOperandsMatchTheKernel(linkat);
  constexpr BrokeredCall connect =
      Brokered("connect", BrokerOp::kOpen).SockAddr(1);
  EXPECT_EQ(connect.path_count(), 0);
  EXPECT_EQ(DescribeOperands(connect), "connect(..., sockaddr, addrlen)");
  ExpectOperandsMatchTheKernel(connect);
}

std::string Readme() {
  std::ifstream in(std::string(getenv("TEST_SRCDIR")) + "/sysgate/README.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// README's table is the table's own rendering, so the two cannot drift.
TEST(BrokeredCallsTest, ReadmeListsEveryBrokeredCall) {
  std::string readme = Readme();
  ASSERT_FALSE(readme.empty());
  EXPECT_NE(readme.find(BrokeredCallsMarkdown()), std::string::npos)
      << "README.md must hold this table, as BrokeredCallsMarkdown() makes "
         "it:\n"
      << BrokeredCallsMarkdown();
}

}  // namespace
}  // namespace sysgate
