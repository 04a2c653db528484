// What `run` and `learn` share: a Session for a program, its warnings
// printed, signals forwarded to it, and its outcome as sysgate's exit
// status.
#ifndef SYSGATE_CLI_SUPERVISE_H_
#define SYSGATE_CLI_SUPERVISE_H_

#include <string>
#include <vector>

#include "supervisor/session/session.h"

namespace sysgate::cli {

struct Supervised {
  int exit_status = 0;  // sysgate's.
  bool ran = false;     // The program ran (not: sysgate failed, or the
                        // program never started).
};

// `log_path` empty: no JSON Lines log.
Supervised Supervise(SessionOptions options, const std::string& log_path,
                     const std::vector<std::string>& argv);

}  // namespace sysgate::cli

#endif  // SYSGATE_CLI_SUPERVISE_H_
