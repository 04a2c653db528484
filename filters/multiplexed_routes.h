// A rule on a call that i386 also reaches through a multiplexer
// (arch/multiplexers.h: socketcall, ipc) covers that route too, as
// libseccomp does: a rule for the multiplexer with its first argument.
// An unconditional rule carries over as it is. A condition cannot: the
// call's arguments are in memory (socketcall) or elsewhere (ipc), where
// the filter cannot read them, and sysgate reading them would race the
// program's other threads. That route is refused instead (ENOSYS, and
// reported), so that the call is made, and decided, the direct way.
#ifndef SYSGATE_FILTERS_MULTIPLEXED_ROUTES_H_
#define SYSGATE_FILTERS_MULTIPLEXED_ROUTES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "filters/policy.h"

namespace sysgate {

struct RouteRule {
  Rule rule;  // On the multiplexer, at the source rule's location.
  // The calls whose route it refuses ("socket, connect"); empty when it
  // carries the source rule's action.
  std::string refused_calls;
};

// One rule per multiplexer that reaches any of `rule`'s calls; none for a
// rule without such calls. To be tried right after `rule`.
absl::StatusOr<std::vector<RouteRule>> MultiplexedRouteRules(const Rule& rule);

// For `sysgate check`: each rule whose multiplexed route is refused,
// "FILE:LINE:COL: warning: ...", saying which route and why.
std::vector<std::string> RefusedRouteWarnings(const Policy& policy);

// For `sysgate check`: each rule that names a multiplexer itself (a rule on
// socketcall is i386's older route alone), with the direct calls it then
// leaves to other rules: those this rule does not name too.
std::vector<std::string> MultiplexerRuleWarnings(const Policy& policy);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_MULTIPLEXED_ROUTES_H_
