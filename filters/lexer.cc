#include "filters/lexer.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sysgate {
namespace {

bool Continues(Tok t) {
  switch (t) {
    case Tok::kComma:
    case Tok::kAmp:
    case Tok::kPipe:
    case Tok::kAndAnd:
    case Tok::kOrOr:
    case Tok::kBang:
    case Tok::kEq:
    case Tok::kNe:
    case Tok::kLt:
    case Tok::kLe:
    case Tok::kGt:
    case Tok::kGe:
    case Tok::kMinus:
      return true;
    default:
      return false;
  }
}

class Lexer {
 public:
  Lexer(absl::string_view text, std::string file)
      : text_(text), file_(std::move(file)) {}

  absl::StatusOr<std::vector<Token>> Run() {
    std::vector<Token> out;
    int depth = 0;
    while (true) {
      SkipSpaceAndComments();
      SourceLocation loc{file_, line_, col_};
      if (pos_ >= text_.size()) {
        out.push_back({Tok::kNewline, "", 0, loc});
        out.push_back({Tok::kEnd, "", 0, loc});
        return out;
      }
      char c = text_[pos_];
      if (c == '\n') {
        Advance();
        bool continues =
            depth > 0 ||
            (!out.empty() &&
             (Continues(out.back().kind) ||
              (out.back().kind == Tok::kIdent && out.back().text == "if")));
        if (!continues && !out.empty() && out.back().kind != Tok::kNewline) {
          out.push_back({Tok::kNewline, "", 0, loc});
        }
        continue;
      }
      // `@NAME` names a family of calls (arch/call_families.h).
      bool family = c == '@' && pos_ + 1 < text_.size() &&
                    std::isalpha(static_cast<unsigned char>(text_[pos_ + 1]));
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || family) {
        std::string ident;
        if (family) {
          ident += c;
          Advance();
        }
        while (pos_ < text_.size()) {
          char d = text_[pos_];
          bool inner_dash =
              d == '-' && pos_ + 1 < text_.size() &&
              std::isalpha(static_cast<unsigned char>(text_[pos_ + 1])) &&
              !ident.empty();
          if (!std::isalnum(static_cast<unsigned char>(d)) && d != '_' &&
              !inner_dash)
            break;
          ident += d;
          Advance();
        }
        out.push_back({Tok::kIdent, ident, 0, loc});
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c))) {
        std::string digits;
        while (pos_ < text_.size() &&
               std::isalnum(static_cast<unsigned char>(text_[pos_]))) {
          digits += text_[pos_];
          Advance();
        }
        absl::StatusOr<uint64_t> v = ParseNumber(digits, loc);
        if (!v.ok()) return v.status();
        out.push_back({Tok::kNumber, digits, *v, loc});
        continue;
      }
      if (c == '/') {
        std::string path;
        while (pos_ < text_.size() &&
               !std::isspace(static_cast<unsigned char>(text_[pos_])) &&
               text_[pos_] != ',' && text_[pos_] != '#') {
          path += text_[pos_];
          Advance();
        }
        out.push_back({Tok::kPath, path, 0, loc});
        continue;
      }
      if (c == '"') {
        Advance();
        std::string s;
        while (pos_ < text_.size() && text_[pos_] != '"' &&
               text_[pos_] != '\n') {
          s += text_[pos_];
          Advance();
        }
        if (pos_ >= text_.size() || text_[pos_] != '"') {
          return PolicyError(loc, "unterminated string");
        }
        Advance();
        out.push_back({Tok::kString, s, 0, loc});
        continue;
      }
      auto two = [&](char a, char b) {
        return c == a && pos_ + 1 < text_.size() && text_[pos_ + 1] == b;
      };
      Tok kind;
      int len = 1;
      if (two('&', '&')) {
        kind = Tok::kAndAnd;
        len = 2;
      } else if (two('|', '|')) {
        kind = Tok::kOrOr;
        len = 2;
      } else if (two('=', '=')) {
        kind = Tok::kEq;
        len = 2;
      } else if (two('!', '=')) {
        kind = Tok::kNe;
        len = 2;
      } else if (two('<', '=')) {
        kind = Tok::kLe;
        len = 2;
      } else if (two('>', '=')) {
        kind = Tok::kGe;
        len = 2;
      } else if (c == ',')
        kind = Tok::kComma;
      else if (c == '(') {
        kind = Tok::kLParen;
        ++depth;
      } else if (c == ')') {
        kind = Tok::kRParen;
        depth = std::max(0, depth - 1);
      } else if (c == '&')
        kind = Tok::kAmp;
      else if (c == '|')
        kind = Tok::kPipe;
      else if (c == '!')
        kind = Tok::kBang;
      else if (c == '-')
        kind = Tok::kMinus;
      else if (c == '<')
        kind = Tok::kLt;
      else if (c == '>')
        kind = Tok::kGt;
      else if (c == '=')
        return PolicyError(loc, "'=' is not an operator; use '=='");
      else
        return PolicyError(loc, absl::StrCat("unexpected character '",
                                             std::string(1, c), "'"));
      std::string text(text_.substr(pos_, len));
      for (int i = 0; i < len; ++i) Advance();
      out.push_back({kind, text, 0, loc});
    }
  }

 private:
  void Advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }

  void SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') Advance();
      } else if (c == ' ' || c == '\t' || c == '\r') {
        Advance();
      } else if (c == '\\' && pos_ + 1 < text_.size() &&
                 text_[pos_ + 1] == '\n') {
        Advance();
        Advance();
      } else {
        return;
      }
    }
  }

  absl::StatusOr<uint64_t> ParseNumber(const std::string& digits,
                                       const SourceLocation& loc) {
    uint64_t v = 0;
    bool ok;
    if (digits.size() > 2 && (digits[1] == 'x' || digits[1] == 'X') &&
        digits[0] == '0') {
      ok = absl::SimpleHexAtoi(digits.substr(2), &v);
    } else if (digits.size() > 1 && digits[0] == '0') {
      ok = digits.find_first_not_of("01234567") == std::string::npos;
      for (char d : digits) v = v * 8 + (d - '0');
    } else {
      ok = absl::SimpleAtoi(digits, &v);
    }
    if (!ok)
      return PolicyError(loc, absl::StrCat("invalid number '", digits, "'"));
    return v;
  }

  absl::string_view text_;
  std::string file_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

}  // namespace

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view text,
                                            const std::string& file) {
  return Lexer(text, file).Run();
}

}  // namespace sysgate
