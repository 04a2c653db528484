// For `sysgate check`: rules that name some members of a call family
// (arch/call_families.h) and leave the others to whatever else decides
// them, which a program picks to sidestep the rule.
#ifndef SYSGATE_FILTERS_FAMILY_WARNINGS_H_
#define SYSGATE_FILTERS_FAMILY_WARNINGS_H_

#include <string>
#include <vector>

#include "filters/policy.h"

namespace sysgate {

// "FILE:LINE:COL: warning: ..." per rule and family, naming the members
// the rule covers and those no rule of the policy names.
std::vector<std::string> FamilyWarnings(const Policy& policy);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_FAMILY_WARNINGS_H_
