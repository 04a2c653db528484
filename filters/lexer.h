// Policy text -> tokens with source locations. Newlines end statements,
// except where a statement obviously continues (see parser.h).
#ifndef SYSGATE_FILTERS_LEXER_H_
#define SYSGATE_FILTERS_LEXER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "filters/policy.h"

namespace sysgate {

enum class Tok {
  kIdent,
  kNumber,
  kString,
  kPath,  // An unquoted absolute path or glob: /usr/**.
  kNewline,
  kEnd,
  kComma,
  kLParen,
  kRParen,
  kAmp,
  kPipe,
  kAndAnd,
  kOrOr,
  kBang,
  kMinus,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
};

struct Token {
  Tok kind;
  std::string text;
  uint64_t number = 0;
  SourceLocation loc;
};

// Ends with a kNewline and a kEnd token.
absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view text,
                                            const std::string& file);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_LEXER_H_
