#include "arch/mounts.h"

#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>

namespace sysgate {

absl::StatusOr<std::vector<std::string>> ProcfsMountPoints() {
  FILE* table = setmntent("/proc/self/mounts", "re");
  if (table == nullptr)
    return absl::ErrnoToStatus(errno, "cannot read /proc/self/mounts");
  std::vector<std::string> out;
  mntent entry;
  char buffer[4096];
  // getmntent_r undoes the table's octal escapes (\040 for a space).
  while (getmntent_r(table, &entry, buffer, sizeof buffer) != nullptr) {
    if (strcmp(entry.mnt_type, "proc") == 0) out.push_back(entry.mnt_dir);
  }
  endmntent(table);
  return out;
}

}  // namespace sysgate
