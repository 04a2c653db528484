#include "filters/multiplexed_routes.h"

#include <errno.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "arch/multiplexers.h"
#include "filters/parser.h"

namespace sysgate {

absl::StatusOr<std::vector<RouteRule>> MultiplexedRouteRules(const Rule& rule) {
  struct Routes {
    std::vector<std::string> tests;  // "(arg0 & 0xffff) == 21"
    std::set<std::string> calls;
  };
  std::map<std::string, Routes> by_multiplexer;
  for (const std::string& name : rule.syscalls) {
    for (const MultiplexedRoute& r : MultiplexedRoutes()) {
      if (name != r.call) continue;
      Routes& routes = by_multiplexer[r.multiplexer];
      routes.tests.push_back(
          r.code_mask == 0xffffffffu
              ? absl::StrCat("arg0 == ", r.code)
              : absl::StrCat("(arg0 & ", r.code_mask, ") == ", r.code));
      routes.calls.insert(name);
    }
  }
  std::vector<RouteRule> out;
  for (const auto& [multiplexer, routes] : by_multiplexer) {
    // Written as a policy line and parsed: the one way conditions are made.
    absl::StatusOr<Policy> parsed =
        ParsePolicy(absl::StrCat("allow ", multiplexer, " if ",
                                 absl::StrJoin(routes.tests, " || "), "\n"),
                    "<multiplexed routes>");
    if (!parsed.ok()) return parsed.status();
    RouteRule route{parsed->rules.front(), ""};
    route.rule.loc = rule.loc;
    route.rule.origin = rule.origin;
    route.rule.report = rule.report;
    if (rule.condition) {
      route.rule.action = Action{Action::Kind::kErrno, ENOSYS};
      route.rule.report = true;
      route.refused_calls = absl::StrJoin(routes.calls, ", ");
    } else {
      route.rule.action = rule.action;
    }
    out.push_back(std::move(route));
  }
  return out;
}

std::vector<std::string> RefusedRouteWarnings(const Policy& policy) {
  std::vector<std::string> out;
  for (const Rule& rule : policy.rules) {
    absl::StatusOr<std::vector<RouteRule>> routes = MultiplexedRouteRules(rule);
    if (!routes.ok()) continue;  // The run itself reports the error.
    for (const RouteRule& route : *routes) {
      if (route.refused_calls.empty()) continue;
      out.push_back(absl::StrCat(
          rule.loc.file, ":", rule.loc.line, ":", rule.loc.column,
          ": warning: i386 also reaches ", route.refused_calls, " through ",
          route.rule.syscalls.front(),
          ", which keeps the arguments where no filter reads them: the "
          "condition cannot be checked there, so that route fails with "
          "ENOSYS (reported) and the direct call is decided by this rule"));
    }
  }
  return out;
}

std::vector<std::string> MultiplexerRuleWarnings(const Policy& policy) {
  std::vector<std::string> out;
  for (const Rule& rule : policy.rules) {
    std::set<std::string> named(rule.syscalls.begin(), rule.syscalls.end());
    std::map<std::string, std::set<std::string>> uncovered;
    for (const MultiplexedRoute& r : MultiplexedRoutes()) {
      if (named.count(r.multiplexer) && !named.count(r.call))
        uncovered[r.multiplexer].insert(r.call);
    }
    for (const auto& [multiplexer, calls] : uncovered) {
      out.push_back(absl::StrCat(
          rule.loc.file, ":", rule.loc.line, ":", rule.loc.column,
          ": warning: this rule names ", multiplexer,
          ", only i386's older route to ",
          rule.condition ? "the calls its condition selects of " : "",
          absl::StrJoin(calls, ", "),
          ": their direct calls (every ABI's, i386's since Linux ",
          multiplexer == "ipc" ? "5.1" : "4.3",
          ") are left to other rules; a rule on the calls themselves "
          "covers both routes"));
    }
  }
  return out;
}

}  // namespace sysgate
