// The stat family's answers in each ABI's own layout. The broker stats an
// object itself (supervisor/notify/broker_reveal.cc) and must write what
// the kernel would have written into the caller's buffer: the host's struct
// stat for its native ABI, and for i386 the layouts of
// arch/x86/include/asm/compat.h (struct compat_stat, filled as fs/stat.c's
// cp_compat_stat) and arch/x86/include/asm/ia32.h (the packed struct
// stat64, filled as arch/x86/kernel/sys_ia32.c's cp_stat64).
#ifndef SYSGATE_ARCH_STAT_LAYOUT_H_
#define SYSGATE_ARCH_STAT_LAYOUT_H_

#include <sys/stat.h>
#include <sys/vfs.h>

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "arch/abi.h"

namespace sysgate {

struct StatBuffer {
  std::string bytes;
  int error = 0;  // EOVERFLOW where the kernel's copy fails with it; ENOSYS
                  // for a call with no layout here.
};

// `call` names the stat-family call (i386's "stat" and "stat64" differ).
StatBuffer StatBufferFor(AbiId abi, absl::string_view call,
                         const struct stat& st);

// statfs's answer: the host's struct statfs, or i386's struct
// compat_statfs ("statfs", filled as fs/statfs.c's put_compat_statfs:
// EOVERFLOW for a count that does not fit 32 bits) and packed struct
// compat_statfs64 ("statfs64", put_compat_statfs64; its size argument
// must be that struct's, 84, or EINVAL).
StatBuffer StatfsBufferFor(AbiId abi, absl::string_view call,
                           const struct statfs& fs, uint64_t size_arg);

}  // namespace sysgate

#endif  // SYSGATE_ARCH_STAT_LAYOUT_H_
