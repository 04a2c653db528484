#include "filters/json.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sysgate {
namespace {

class JsonParser {
 public:
  JsonParser(absl::string_view text, std::string file)
      : text_(text), file_(std::move(file)) {}

  absl::StatusOr<JsonValue> Document() {
    absl::StatusOr<JsonValue> v = Value(0);
    if (!v.ok()) return v;
    Skip();
    if (pos_ < text_.size())
      return Error("unexpected text after the JSON value");
    return v;
  }

 private:
  absl::Status Error(absl::string_view message) {
    return PolicyError(Here(), message);
  }
  SourceLocation Here() const { return {file_, line_, col_}; }

  void Advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }
  void Skip() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' ||
            text_[pos_] == '\r')) {
      Advance();
    }
  }
  bool Literal(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    for (size_t i = 0; i < word.size(); ++i) Advance();
    return true;
  }

  absl::StatusOr<JsonValue> Value(int depth) {
    if (depth > 64) return Error("JSON nested too deeply");
    Skip();
    JsonValue v;
    v.loc = Here();
    if (pos_ >= text_.size()) return Error("unexpected end of JSON");
    char c = text_[pos_];
    if (c == '{') return Object(depth, v);
    if (c == '[') return Array(depth, v);
    if (c == '"') {
      absl::StatusOr<std::string> s = String();
      if (!s.ok()) return s.status();
      v.kind = JsonValue::Kind::kString;
      v.text = std::move(*s);
      return v;
    }
    if (Literal("true")) {
      v.kind = JsonValue::Kind::kBool;
      v.boolean = true;
      return v;
    }
    if (Literal("false")) {
      v.kind = JsonValue::Kind::kBool;
      return v;
    }
    if (Literal("null")) return v;
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t start = pos_;
      while (pos_ < text_.size() &&
             (std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
              text_[pos_] == '-' || text_[pos_] == '+' || text_[pos_] == '.' ||
              text_[pos_] == 'e' || text_[pos_] == 'E')) {
        Advance();
      }
      v.kind = JsonValue::Kind::kNumber;
      v.text = std::string(text_.substr(start, pos_ - start));
      return v;
    }
    return Error(
        absl::StrCat("unexpected character '", std::string(1, c), "' in JSON"));
  }

  absl::StatusOr<JsonValue> Object(int depth, JsonValue v) {
    v.kind = JsonValue::Kind::kObject;
    Advance();
    Skip();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      Advance();
      return v;
    }
    while (true) {
      Skip();
      if (pos_ >= text_.size() || text_[pos_] != '"')
        return Error("expected a quoted key");
      absl::StatusOr<std::string> key = String();
      if (!key.ok()) return key.status();
      Skip();
      if (pos_ >= text_.size() || text_[pos_] != ':')
        return Error("expected ':'");
      Advance();
      absl::StatusOr<JsonValue> member = Value(depth + 1);
      if (!member.ok()) return member;
      v.members.emplace_back(std::move(*key), std::move(*member));
      Skip();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        Advance();
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        Advance();
        return v;
      }
      return Error("expected ',' or '}'");
    }
  }

  absl::StatusOr<JsonValue> Array(int depth, JsonValue v) {
    v.kind = JsonValue::Kind::kArray;
    Advance();
    Skip();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      Advance();
      return v;
    }
    while (true) {
      absl::StatusOr<JsonValue> item = Value(depth + 1);
      if (!item.ok()) return item;
      v.items.push_back(std::move(*item));
      Skip();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        Advance();
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        Advance();
        return v;
      }
      return Error("expected ',' or ']'");
    }
  }

  absl::StatusOr<std::string> String() {
    Advance();  // Opening quote.
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_];
      if (c == '\n') return Error("unterminated string");
      if (c != '\\') {
        out += c;
        Advance();
        continue;
      }
      Advance();
      if (pos_ >= text_.size()) break;
      char e = text_[pos_];
      Advance();
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          uint32_t code;
          if (pos_ + 4 > text_.size() ||
              !absl::SimpleHexAtoi(text_.substr(pos_, 4), &code)) {
            return Error("bad \\u escape");
          }
          for (int i = 0; i < 4; ++i) Advance();
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xc0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
          }
          break;
        }
        default:
          out += e;  // \" \\ \/
      }
    }
    if (pos_ >= text_.size()) return Error("unterminated string");
    Advance();  // Closing quote.
    return out;
  }

  absl::string_view text_;
  std::string file_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

}  // namespace

const JsonValue* JsonValue::Get(absl::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

bool JsonValue::AsInt64(int64_t* out) const {
  return kind == Kind::kNumber && absl::SimpleAtoi(text, out);
}

bool JsonValue::AsUint64(uint64_t* out) const {
  return kind == Kind::kNumber && absl::SimpleAtoi(text, out);
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text,
                                    const std::string& file) {
  return JsonParser(text, file).Document();
}

std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace sysgate
