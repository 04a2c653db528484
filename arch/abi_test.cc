#include "arch/abi.h"

#include <linux/audit.h>

#include "gtest/gtest.h"

namespace sysgate {
namespace {

int Nr(AbiId abi, const char* name) {
  const SyscallDesc* d = GetAbi(abi).Find(name);
  return d ? d->nr : -1;
}

TEST(AbiTest, NumbersMatchTheKernelTables) {
  EXPECT_EQ(Nr(AbiId::kX86_64, "read"), 0);
  EXPECT_EQ(Nr(AbiId::kX86_64, "getuid"), 102);
  EXPECT_EQ(Nr(AbiId::kX86_64, "openat"), 257);
  EXPECT_EQ(Nr(AbiId::kI386, "getuid"), 24);
  EXPECT_EQ(Nr(AbiId::kI386, "getpid"), 20);
  EXPECT_EQ(Nr(AbiId::kI386, "socketcall"), 102);
  EXPECT_EQ(Nr(AbiId::kArm64, "openat"), 56);
  EXPECT_EQ(Nr(AbiId::kArm64, "newfstatat"), 79);
  EXPECT_EQ(Nr(AbiId::kArm64, "clone3"), 435);
  // Calls newer than the installed headers share one number everywhere.
  EXPECT_EQ(Nr(AbiId::kX86_64, "mseal"), 462);
  EXPECT_EQ(Nr(AbiId::kArm64, "mseal"), 462);
}

TEST(AbiTest, CallsMissingOnAnAbiAreMissing) {
  EXPECT_EQ(Nr(AbiId::kArm64, "open"), -1);  // arm64 has only openat.
  EXPECT_EQ(Nr(AbiId::kArm64, "fork"), -1);
  EXPECT_EQ(Nr(AbiId::kX86_64, "socketcall"), -1);
  EXPECT_EQ(Nr(AbiId::kX86_64, "mmap2"), -1);
}

TEST(AbiTest, NamesAndNumbersRoundTrip) {
  for (AbiId id : AllAbis()) {
    const Abi& abi = GetAbi(id);
    EXPECT_GT(abi.syscalls().size(), 250u) << abi.name();
    for (const SyscallDesc& d : abi.syscalls()) {
      ASSERT_EQ(abi.Find(d.name), &d);
      ASSERT_EQ(abi.Find(d.nr), &d);
      EXPECT_EQ(abi.Name(d.nr), d.name);
    }
  }
  EXPECT_EQ(GetAbi(AbiId::kX86_64).Name(99999), "syscall_99999");
}

TEST(AbiTest, AuditArches) {
  EXPECT_EQ(AbiForAuditArch(AUDIT_ARCH_X86_64)->id(), AbiId::kX86_64);
  EXPECT_EQ(AbiForAuditArch(AUDIT_ARCH_I386)->id(), AbiId::kI386);
  EXPECT_EQ(AbiForAuditArch(AUDIT_ARCH_AARCH64)->id(), AbiId::kArm64);
  EXPECT_EQ(AbiForAuditArch(0x1234), nullptr);
}

TEST(AbiTest, ParameterKindsAndWidths) {
  const SyscallDesc* openat = GetAbi(AbiId::kX86_64).Find("openat");
  ASSERT_EQ(openat->params.size(), 4u);
  EXPECT_EQ(openat->params[0].kind, ArgKind::kDirFd);
  EXPECT_EQ(openat->params[1].kind, ArgKind::kPath);
  EXPECT_EQ(openat->params[2].name, "flags");
  EXPECT_EQ(openat->params[2].kind, ArgKind::kOpenFlags);
  EXPECT_EQ(openat->params[2].bits, 32);
  EXPECT_EQ(openat->params[3].kind, ArgKind::kMode);
  const SyscallDesc* mmap = GetAbi(AbiId::kX86_64).Find("mmap");
  EXPECT_EQ(mmap->params[0].bits, 64);
  EXPECT_EQ(mmap->params[2].kind, ArgKind::kProt);
  EXPECT_EQ(mmap->params[3].kind, ArgKind::kMmapFlags);
  // On i386 every parameter is one 32-bit word, umode_t its low half.
  for (const Param& p : GetAbi(AbiId::kI386).Find("openat")->params) {
    EXPECT_EQ(p.bits, p.name == "mode" ? 16 : 32) << p.name;
  }
}

// The width table: parameters declared wider than the kernel reads them.
TEST(AbiTest, ParametersHaveTheWidthTheKernelReads) {
  auto bits = [](AbiId abi, const char* call, absl::string_view param) {
    for (const Param& p : GetAbi(abi).Find(call)->params) {
      if (p.name == param) return static_cast<int>(p.bits);
    }
    return -1;
  };
  for (AbiId abi : {AbiId::kX86_64, AbiId::kArm64}) {
    EXPECT_EQ(bits(abi, "clone", "clone_flags"), 32);
    EXPECT_EQ(bits(abi, "clone", "newsp"), 64);
    EXPECT_EQ(bits(abi, "mmap", "prot"), 32);
    EXPECT_EQ(bits(abi, "mmap", "flags"), 32);
    EXPECT_EQ(bits(abi, "mmap", "fd"), 32);
    EXPECT_EQ(bits(abi, "mmap", "len"), 64);
    EXPECT_EQ(bits(abi, "ptrace", "pid"), 32);
    EXPECT_EQ(bits(abi, "ptrace", "request"), 64);  // Compared as a long.
    EXPECT_EQ(bits(abi, "mprotect", "prot"), 64);   // Validated in full.
    EXPECT_EQ(bits(abi, "fchmodat", "mode"), 16);   // umode_t.
    EXPECT_EQ(bits(abi, "ioctl", "cmd"), 32);
  }
  // i386's uid16 calls, and their 32-bit forms.
  EXPECT_EQ(bits(AbiId::kI386, "chown", "user"), 16);
  EXPECT_EQ(bits(AbiId::kI386, "setuid", "uid"), 16);
  EXPECT_EQ(bits(AbiId::kX86_64, "setuid", "uid"), 32);
  EXPECT_EQ(bits(AbiId::kX86_64, "mbind", "mode"), 32);  // int lmode = mode
  const Abi& x86 = GetAbi(AbiId::kX86_64);
  EXPECT_EQ(KernelArgBits(x86, x86.Find("mmap")->nr, 2), 32);
  EXPECT_EQ(KernelArgBits(x86, x86.Find("getpid")->nr, 0), 64);
  EXPECT_EQ(KernelArgBits(GetAbi(AbiId::kI386), 20, 5), 32);
}

// i386 passes a 64-bit value in two registers, low word first: every later
// parameter is one register on (ia32_fadvise64, ia32_sync_file_range...).
TEST(AbiTest, I386SplitsSixtyFourBitParameters) {
  auto names = [](AbiId abi, const char* call) {
    std::string s;
    for (const Param& p : GetAbi(abi).Find(call)->params)
      s += std::string(p.name) + ",";
    return s;
  };
  EXPECT_EQ(names(AbiId::kI386, "fadvise64"),
            "fd,offset_lo,offset_hi,len,advice,");
  EXPECT_EQ(names(AbiId::kI386, "sync_file_range"),
            "fd,offset_lo,offset_hi,nbytes_lo,nbytes_hi,flags,");
  EXPECT_EQ(names(AbiId::kI386, "fanotify_mark"),
            "fanotify_fd,flags,mask_lo,mask_hi,dfd,pathname,");
  EXPECT_EQ(names(AbiId::kX86_64, "fadvise64"), "fd,offset,len,advice,");
  EXPECT_EQ(GetAbi(AbiId::kI386).Find("fanotify_mark")->params[5].kind,
            ArgKind::kPath);
}

TEST(AbiTest, CloneOrderFollowsCloneBackwards) {
  auto names = [](AbiId abi) {
    std::string s;
    for (const Param& p : GetAbi(abi).Find("clone")->params) {
      s += std::string(p.name) + ",";
    }
    return s;
  };
  EXPECT_EQ(names(AbiId::kX86_64),
            "clone_flags,newsp,parent_tidptr,child_tidptr,tls,");
  EXPECT_EQ(names(AbiId::kArm64),
            "clone_flags,newsp,parent_tidptr,tls,child_tidptr,");
  EXPECT_EQ(names(AbiId::kI386),
            "clone_flags,newsp,parent_tidptr,tls,child_tidptr,");
}

}  // namespace
}  // namespace sysgate
