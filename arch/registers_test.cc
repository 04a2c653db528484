// Register layouts checked against images laid out as the kernel's
// NT_PRSTATUS structures (user_regs_struct for x86-64 and i386,
// user_pt_regs for arm64), word by word.
#include "arch/registers.h"

#include "gtest/gtest.h"

namespace sysgate {
namespace {

RegisterImage Image(size_t words, size_t width) {
  RegisterImage img;
  img.size = words * width;
  // Each word holds 0x100 + its index, so a wrong offset shows at once.
  for (size_t i = 0; i < words; ++i) img.SetWord(i * width, width, 0x100 + i);
  return img;
}

TEST(RegistersTest, LayoutFromSize) {
  EXPECT_EQ(Image(27, 8).layout(), RegsLayout::kX86_64);
  EXPECT_EQ(Image(17, 4).layout(), RegsLayout::kI386);
  EXPECT_EQ(Image(34, 8).layout(), RegsLayout::kArm64);
  EXPECT_EQ(Image(3, 8).layout(), absl::nullopt);
}

TEST(RegistersTest, X86_64Entry) {
  RegisterImage img = Image(27, 8);
  auto e = X86_64Layout().decode_entry(img, AbiId::kX86_64);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->nr, 0x100 + 15);        // orig_rax
  EXPECT_EQ(e->args[0], 0x100 + 14u);  // rdi
  EXPECT_EQ(e->args[1], 0x100 + 13u);  // rsi
  EXPECT_EQ(e->args[2], 0x100 + 12u);  // rdx
  EXPECT_EQ(e->args[3], 0x100 + 7u);   // r10, not rcx
  EXPECT_EQ(e->args[4], 0x100 + 9u);   // r8
  EXPECT_EQ(e->args[5], 0x100 + 8u);   // r9
  EXPECT_EQ(e->ip, 0x100 + 16u);
  EXPECT_EQ(e->sp, 0x100 + 19u);
}

TEST(RegistersTest, Int80FromA64BitProcessUsesI386Registers) {
  RegisterImage img = Image(27, 8);
  auto e = X86_64Layout().decode_entry(img, AbiId::kI386);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->args[0], 0x100 + 5u);   // rbx
  EXPECT_EQ(e->args[1], 0x100 + 11u);  // rcx
  EXPECT_EQ(e->args[5], 0x100 + 4u);   // rbp
  EXPECT_FALSE(X86_64Layout().decode_entry(img, AbiId::kArm64).ok());
}

TEST(RegistersTest, X86_64SkipWritesOrigRaxAndRax) {
  RegisterImage img = Image(27, 8);
  X86_64Layout().encode_skip(img, AbiId::kX86_64, -1);
  EXPECT_EQ(img.Word(15 * 8, 8), ~0ull);
  EXPECT_EQ(img.Word(10 * 8, 8), ~0ull);
  EXPECT_EQ(img.Word(14 * 8, 8), 0x100 + 14u);  // rdi untouched
  EXPECT_TRUE(X86_64Layout().encode_number(img, AbiId::kX86_64, 39));
  EXPECT_EQ(img.Word(15 * 8, 8), 39u);
  EXPECT_EQ(X86_64Layout().decode_return(img, AbiId::kX86_64), -1);
}

TEST(RegistersTest, I386Layout) {
  RegisterImage img = Image(17, 4);
  auto e = I386Layout().decode_entry(img, AbiId::kI386);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->nr, 0x100 + 11);       // orig_eax
  EXPECT_EQ(e->args[0], 0x100 + 0u);  // ebx
  EXPECT_EQ(e->args[5], 0x100 + 5u);  // ebp
  EXPECT_EQ(e->ip, 0x100 + 12u);      // eip
  EXPECT_EQ(e->sp, 0x100 + 15u);      // esp
  I386Layout().encode_skip(img, AbiId::kI386, -13);
  EXPECT_EQ(img.Word(11 * 4, 4), 0xffffffffu);
  EXPECT_EQ(I386Layout().decode_return(img, AbiId::kI386), -13);
  std::array<uint64_t, 6> args = {1, 2, 3, 4, 5, 0x1122334455667788};
  I386Layout().encode_args(img, AbiId::kI386, args);
  EXPECT_EQ(img.Word(5 * 4, 4), 0x55667788u);  // ebp keeps the low word.
}

TEST(RegistersTest, Arm64Layout) {
  RegisterImage img = Image(34, 8);
  auto e = Arm64Layout().decode_entry(img, AbiId::kArm64);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->nr, 0x100 + 8);        // x8
  EXPECT_EQ(e->args[0], 0x100 + 0u);  // x0
  EXPECT_EQ(e->args[5], 0x100 + 5u);
  EXPECT_EQ(e->sp, 0x100 + 31u);
  EXPECT_EQ(e->ip, 0x100 + 32u);  // pc
  // x0 is the first argument and the return value: a skip always sets it.
  Arm64Layout().encode_skip(img, AbiId::kArm64, 42);
  EXPECT_EQ(img.Word(0, 8), 42u);
  EXPECT_EQ(Arm64Layout().decode_return(img, AbiId::kArm64), 42);
  // The number is not in NT_PRSTATUS.
  EXPECT_FALSE(Arm64Layout().encode_number(img, AbiId::kArm64, 172));
  EXPECT_EQ(img.Word(8 * 8, 8), 0x100 + 8u);
}

TEST(RegistersTest, VsyscallEntries) {
  EXPECT_TRUE(IsVsyscallEntry(AbiId::kX86_64, 0xffffffffff600000));
  EXPECT_TRUE(IsVsyscallEntry(AbiId::kX86_64, 0xffffffffff600400));
  EXPECT_TRUE(IsVsyscallEntry(AbiId::kX86_64, 0xffffffffff600800));
  EXPECT_FALSE(IsVsyscallEntry(AbiId::kX86_64, 0xffffffffff600002));
  EXPECT_FALSE(IsVsyscallEntry(AbiId::kX86_64, 0x7fff12345678));
  EXPECT_FALSE(IsVsyscallEntry(AbiId::kI386, 0xffffffffff600000));
}

}  // namespace
}  // namespace sysgate
