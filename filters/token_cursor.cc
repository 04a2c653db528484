#include "filters/token_cursor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "filters/policy.h"

namespace sysgate {

TokenCursor::TokenCursor(std::vector<Token> tokens)
    : tokens_(std::move(tokens)) {}

const Token& TokenCursor::Peek(size_t ahead) const {
  return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
}

const Token& TokenCursor::Next() {
  return tokens_[std::min(pos_++, tokens_.size() - 1)];
}

bool TokenCursor::Accept(Tok kind) {
  if (Peek().kind != kind) return false;
  ++pos_;
  return true;
}

absl::Status TokenCursor::Expect(Tok kind, const char* what) {
  if (!Accept(kind)) return Unexpected(Peek(), what);
  return absl::OkStatus();
}

absl::Status TokenCursor::Unexpected(const Token& found,
                                     absl::string_view what) {
  return PolicyError(
      found.loc, absl::StrCat("expected ", what, ", found ", Describe(found)));
}

std::string TokenCursor::Describe(const Token& token) {
  switch (token.kind) {
    case Tok::kNewline:
      return "end of line";
    case Tok::kEnd:
      return "end of file";
    case Tok::kString:
      return absl::StrCat("\"", token.text, "\"");
    default:
      return absl::StrCat("'", token.text, "'");
  }
}

}  // namespace sysgate
