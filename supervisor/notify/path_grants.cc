#include "supervisor/notify/path_grants.h"

#include "absl/strings/match.h"

namespace sysgate {
namespace {

bool MatchComponent(absl::string_view pattern, absl::string_view name) {
  // `*` within one component, by backtracking on the last star.
  size_t p = 0, n = 0, star = absl::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == name[n] || pattern[p] == '?')) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<absl::string_view> Components(absl::string_view path) {
  std::vector<absl::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool MatchFrom(const std::vector<absl::string_view>& pat, size_t pi,
               const std::vector<absl::string_view>& path, size_t ni) {
  if (pi == pat.size()) return ni == path.size();
  if (pat[pi] == "**") {
    for (size_t k = ni; k <= path.size(); ++k) {
      if (MatchFrom(pat, pi + 1, path, k)) return true;
    }
    return false;
  }
  return ni < path.size() && MatchComponent(pat[pi], path[ni]) &&
         MatchFrom(pat, pi + 1, path, ni + 1);
}

// Whether some path strictly below `dir` (one component or more beyond
// it) could match the pattern from component `pi` on.
bool CouldMatchBelow(const std::vector<absl::string_view>& pat, size_t pi,
                     const std::vector<absl::string_view>& dir, size_t ni) {
  if (pi == pat.size()) return false;
  if (ni == dir.size() || pat[pi] == "**") return true;
  return MatchComponent(pat[pi], dir[ni]) &&
         CouldMatchBelow(pat, pi + 1, dir, ni + 1);
}

}  // namespace

bool GlobMatches(absl::string_view pattern, absl::string_view path) {
  return MatchFrom(Components(pattern), 0, Components(path), 0);
}

bool PathGrants::HasMode(BrokerRule::Mode mode) const {
  for (const BrokerRule& rule : rules_) {
    if (rule.mode == mode) return true;
  }
  return false;
}

const BrokerRule* PathGrants::Denies(absl::string_view path) const {
  for (const BrokerRule& rule : rules_) {
    if (rule.mode != BrokerRule::Mode::kDeny) continue;
    for (const std::string& pattern : rule.patterns) {
      if (GlobMatches(pattern, path)) return &rule;
    }
  }
  return nullptr;
}

const BrokerRule* PathGrants::DeniesBelow(absl::string_view dir) const {
  std::vector<absl::string_view> components = Components(dir);
  for (const BrokerRule& rule : rules_) {
    if (rule.mode != BrokerRule::Mode::kDeny) continue;
    for (const std::string& pattern : rule.patterns) {
      if (CouldMatchBelow(Components(pattern), 0, components, 0)) return &rule;
    }
  }
  return nullptr;
}

const BrokerRule* PathGrants::Grants(absl::string_view path,
                                     BrokerRule::Mode mode) const {
  if (Denies(path) != nullptr) return nullptr;
  for (const BrokerRule& rule : rules_) {
    // Write includes read; exec is only exec.
    bool covers = rule.mode == mode || (mode == BrokerRule::Mode::kRead &&
                                        rule.mode == BrokerRule::Mode::kWrite);
    if (!covers) continue;
    for (const std::string& pattern : rule.patterns) {
      if (GlobMatches(pattern, path)) return &rule;
    }
  }
  return nullptr;
}

const BrokerRule* PathGrants::LeadsTo(absl::string_view dir) const {
  std::string prefix(dir);
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  if (Denies(dir) != nullptr) return nullptr;
  for (const BrokerRule& rule : rules_) {
    if (rule.mode == BrokerRule::Mode::kDeny) continue;
    for (const std::string& pattern : rule.patterns) {
      absl::string_view literal(pattern);
      literal = literal.substr(0, literal.find_first_of("*?"));
      if (absl::StartsWith(literal, prefix)) return &rule;
    }
  }
  return nullptr;
}

}  // namespace sysgate
