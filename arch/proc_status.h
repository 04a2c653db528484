// One field of /proc/PID/status ("Tgid", "Umask", "CapEff", ...), the text
// after its colon, trimmed. Empty when the process or field is gone.
#ifndef SYSGATE_ARCH_PROC_STATUS_H_
#define SYSGATE_ARCH_PROC_STATUS_H_

#include <sys/types.h>

#include <string>

#include "absl/strings/string_view.h"

namespace sysgate {

// `pid` 0 reads /proc/self/status.
std::string ProcStatusField(pid_t pid, absl::string_view field);

// The thread group (process) a thread belongs to; `tid` itself when it is
// gone or unreadable.
pid_t ThreadGroupOf(pid_t tid);

}  // namespace sysgate

#endif  // SYSGATE_ARCH_PROC_STATUS_H_
