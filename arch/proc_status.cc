#include "arch/proc_status.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sysgate {

std::string ProcStatusField(pid_t pid, absl::string_view field) {
  std::ifstream status(pid == 0 ? std::string("/proc/self/status")
                                : absl::StrCat("/proc/", pid, "/status"));
  std::string prefix = absl::StrCat(field, ":");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(prefix, 0) == 0)
      return std::string(
          absl::StripAsciiWhitespace(line.substr(prefix.size())));
  }
  return "";
}

pid_t ThreadGroupOf(pid_t tid) {
  pid_t tgid;
  return absl::SimpleAtoi(ProcStatusField(tid, "Tgid"), &tgid) ? tgid : tid;
}

}  // namespace sysgate
