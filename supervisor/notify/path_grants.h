// What `broker` rules grant a resolved absolute path. Patterns are globs
// over path components: `*` matches within one component (not '/'), `**`
// any number of components (including none, so `/usr/**` covers `/usr`).
// A write grant includes read; exec grants only exec.
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
  // The rule that grants `mode` on `path`, or null.
  const BrokerRule* Grants(absl::string_view path, BrokerRule::Mode mode) const;

 private:
  std::vector<BrokerRule> rules_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_PATH_GRANTS_H_
