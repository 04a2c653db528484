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

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_SESSION_POLICY_WARNINGS_H_
