// A reading position in a policy file's tokens, shared by the statement
// parser (parser.cc) and the condition parser (condition_parser.cc) so both
// word "expected X, found Y" errors the same way.
#ifndef SYSGATE_FILTERS_TOKEN_CURSOR_H_
#define SYSGATE_FILTERS_TOKEN_CURSOR_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "filters/lexer.h"

namespace sysgate {

class TokenCursor {
 public:
  // `tokens` ends with kEnd (as Tokenize returns them); reading past the
  // end keeps returning that kEnd.
  explicit TokenCursor(std::vector<Token> tokens);

  const Token& Peek(size_t ahead = 0) const;
  const Token& Next();
  void Skip() { ++pos_; }
  // Consumes the next token if it is of `kind`.
  bool Accept(Tok kind);

  // "expected WHAT, found ..." unless the next token is of `kind`, which is
  // consumed.
  absl::Status Expect(Tok kind, const char* what);
  absl::Status ExpectEndOfLine() {
    return Expect(Tok::kNewline, "end of line");
  }
  // "expected WHAT, found ..." at `found`.
  static absl::Status Unexpected(const Token& found, absl::string_view what);

  // How an error message names a token.
  static std::string Describe(const Token& token);

 private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_TOKEN_CURSOR_H_
