// What a policy needs that this kernel lacks, as warnings: never silent.
#ifndef SYSGATE_SUPERVISOR_SESSION_POLICY_WARNINGS_H_
#define SYSGATE_SUPERVISOR_SESSION_POLICY_WARNINGS_H_

#include <string>
#include <vector>

#include "arch/kernel_probe.h"
#include "filters/policy.h"

namespace sysgate {

// "audit" with "log" not in actions_logged; missing actions and their
// fallbacks.
std::vector<std::string> PolicyWarnings(const KernelProbe& probe,
                                        bool uses_audit,
                                        bool uses_kill_process);

// The same for a policy, from the actions it uses.
std::vector<std::string> PolicyWarnings(const KernelProbe& probe,
                                        const Policy& policy);

// A broker policy whose write grant covers the --log file (`log_path`, as
// resolved): the program may write there too. sysgate's lines still go at
// the end (the log is opened O_APPEND), but the program can add lines that
// look like sysgate's, or truncate the file.
std::vector<std::string> LogFileWarnings(const Policy& policy,
                                         const std::string& log_path);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_SESSION_POLICY_WARNINGS_H_
