#include "supervisor/loop/tracee_table.h"

#include "gtest/gtest.h"

namespace sysgate {
namespace {

TEST(TraceeTableTest, ExecLeavesOnlyTheExecingThread) {
  TraceeTable table;
  table.Add(100, 100);
  table.Add(101, 100);
  table.Add(102, 100);
  table.Add(200, 200);
  table.RemoveOtherThreads(100, 102);  // Thread 102 exec'ed.
  EXPECT_EQ(table.size(), 2u);
  EXPECT_NE(table.Find(102), nullptr);
  EXPECT_EQ(table.Find(100), nullptr);
  EXPECT_NE(table.Find(200), nullptr);
  table.Remove(102);
  table.Remove(200);
  EXPECT_TRUE(table.empty());
}

}  // namespace
}  // namespace sysgate
