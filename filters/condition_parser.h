// The condition after `if` in a policy rule (grammar: parser.h, from cond
// on): parsed into a CondExpr tree whose names and constants are checked
// later, per ABI, by resolve.h.
#ifndef SYSGATE_FILTERS_CONDITION_PARSER_H_
#define SYSGATE_FILTERS_CONDITION_PARSER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "filters/policy.h"
#include "filters/token_cursor.h"

namespace sysgate {

// Reads one cond from `tokens`, stopping at the first token that cannot
// continue it (for a rule, the end of line).
absl::StatusOr<std::unique_ptr<CondExpr>> ParseCondition(TokenCursor* tokens);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_CONDITION_PARSER_H_
