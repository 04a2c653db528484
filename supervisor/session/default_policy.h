// The built-in default policy, supervisor/session/default.policy embedded
// at build time (see BUILD, genrule default_policy_cc).
#ifndef SYSGATE_SUPERVISOR_SESSION_DEFAULT_POLICY_H_
#define SYSGATE_SUPERVISOR_SESSION_DEFAULT_POLICY_H_

namespace sysgate {

extern const char kDefaultPolicyText[];
inline constexpr char kDefaultPolicyName[] = "<built-in default>";

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_SESSION_DEFAULT_POLICY_H_
