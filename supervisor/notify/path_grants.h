// What `broker` rules grant a resolved absolute path. Patterns are globs
// over path components: `*` matches within one component (not '/'), `**`
// any number of components (including none, so `/usr/**` covers `/usr`).
// A write grant includes read; exec grants only exec. A `broker deny`
// pattern wins over every grant, wherever it is written.
#ifndef SYSGATE_SUPERVISOR_NOTIFY_PATH_GRANTS_H_
#define SYSGATE_SUPERVISOR_NOTIFY_PATH_GRANTS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "filters/policy.h"

namespace sysgate {

bool GlobMatches(absl::string_view pattern, absl::string_view path);

class PathGrants {
 public:
  explicit PathGrants(const std::vector<BrokerRule>& rules) : rules_(rules) {}

  bool HasMode(BrokerRule::Mode mode) const;
  bool empty() const { return rules_.empty(); }
  // The rule that grants `mode` on `path`, or null (always, for a path a
  // `broker deny` rule names).
  const BrokerRule* Grants(absl::string_view path, BrokerRule::Mode mode) const;
  // The `broker deny` rule that names `path`, or null.
  const BrokerRule* Denies(absl::string_view path) const;
  // The `broker deny` rule that could name something below `dir`, or null:
  // a directory renamed takes its whole subtree with it.
  const BrokerRule* DeniesBelow(absl::string_view dir) const;
  // A rule's index in the policy's broker rules.
  int IndexOf(const BrokerRule* rule) const {
    return static_cast<int>(rule - rules_.data());
  }
  // The rule one of whose patterns lies below `dir` (its literal part, up
  // to the first component with a wildcard, is inside `dir`), or null: a
  // directory on the way to a grant, which may be looked at (stat,
  // access) so that realpath, getcwd and `git` work inside the grant.
  const BrokerRule* LeadsTo(absl::string_view dir) const;

 private:
  std::vector<BrokerRule> rules_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_PATH_GRANTS_H_
