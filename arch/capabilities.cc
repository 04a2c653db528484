#include "arch/capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace sysgate {

int DropCapability(int cap) {
  long bounding = syscall(SYS_prctl, PR_CAPBSET_READ, cap, 0, 0, 0);
  if (bounding < 0) return errno == EINVAL ? 0 : -1;
  // Ambient capabilities (4.3) first: lowering needs no privilege, and an
  // ambient capability not in the permitted set cannot exist.
  if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, cap, 0, 0) !=
          0 &&
      errno != EINVAL) {
    return -1;
  }
  // The bounding set while CAP_SETPCAP is still effective.
  if (bounding == 1 && syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
      errno != EPERM) {
    return -1;
  }
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return -1;
  unsigned bit = 1u << (cap % 32);
  __user_cap_data_struct& word = data[cap / 32];
  if (((word.effective | word.permitted | word.inheritable) & bit) == 0)
    return 0;
  word.effective &= ~bit;
  word.permitted &= ~bit;
  word.inheritable &= ~bit;
  return syscall(SYS_capset, &header, data) == 0 ? 0 : -1;
}

}  // namespace sysgate
