#include "filters/parser.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "arch/abi.h"
#include "filters/constants.h"
#include "filters/lexer.h"

namespace sysgate {
namespace {

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

class Parser {
 public:
  Parser(const FileLoader& loader, std::set<std::string>* open_files,
         Policy* policy)
      : loader_(loader), open_files_(open_files), policy_(policy) {}

  absl::Status ParseFile(absl::string_view text, const std::string& file) {
    absl::StatusOr<std::vector<Token>> tokens = Tokenize(text, file);
    if (!tokens.ok()) return tokens.status();
    toks_ = std::move(*tokens);
    file_ = file;
    while (Peek().kind != Tok::kEnd) {
      if (Peek().kind == Tok::kNewline) {
        ++pos_;
        continue;
      }
      absl::Status s = Statement();
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
  }
  const Token& Next() { return toks_[std::min(pos_++, toks_.size() - 1)]; }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Tok::kNewline:
        return "end of line";
      case Tok::kEnd:
        return "end of file";
      case Tok::kString:
        return absl::StrCat("\"", t.text, "\"");
      case Tok::kPath:
        return absl::StrCat("'", t.text, "'");
      default:
        return absl::StrCat("'", t.text, "'");
    }
  }

  absl::Status Expect(Tok kind, const char* what) {
    if (Peek().kind != kind) {
      return PolicyError(Peek().loc, absl::StrCat("expected ", what, ", found ",
                                                  Describe(Peek())));
    }
    ++pos_;
    return absl::OkStatus();
  }

  absl::Status EndOfStatement() {
    if (Peek().kind != Tok::kNewline) {
      return PolicyError(
          Peek().loc,
          absl::StrCat("expected end of line, found ", Describe(Peek())));
    }
    ++pos_;
    return absl::OkStatus();
  }

  absl::Status Statement() {
    const Token& first = Peek();
    if (first.kind != Tok::kIdent) {
      return PolicyError(
          first.loc,
          absl::StrCat("expected an action, 'default' or 'include', found ",
                       Describe(first)));
    }
    if (first.text == "include") return Include();
    if (first.text == "broker") return Broker();
    if (first.text == "default") {
      ++pos_;
      SourceLocation loc = first.loc;
      absl::StatusOr<Action> action = ParseAction();
      if (!action.ok()) return action.status();
      if (policy_->default_action) {
        return PolicyError(loc,
                           absl::StrCat("a second 'default' (the first is at ",
                                        policy_->default_loc.ToString(), ")"));
      }
      policy_->default_action = *action;
      policy_->default_loc = loc;
      return EndOfStatement();
    }
    Rule rule;
    rule.loc = first.loc;
    absl::StatusOr<Action> action = ParseAction();
    if (!action.ok()) return action.status();
    rule.action = *action;
    do {
      const Token& name = Peek();
      if (name.kind != Tok::kIdent) {
        return PolicyError(
            name.loc,
            absl::StrCat("expected a syscall name, found ", Describe(name)));
      }
      absl::Status known = CheckSyscall(name);
      if (!known.ok()) return known;
      rule.syscalls.push_back(name.text);
      rule.syscall_locs.push_back(name.loc);
      ++pos_;
    } while (Peek().kind == Tok::kComma && (++pos_, true));
    if (Peek().kind == Tok::kIdent && Peek().text == "if") {
      ++pos_;
      absl::StatusOr<std::unique_ptr<CondExpr>> cond = Or();
      if (!cond.ok()) return cond.status();
      rule.condition = std::move(*cond);
    }
    absl::Status end = EndOfStatement();
    if (!end.ok()) return end;
    policy_->rules.push_back(std::move(rule));
    return absl::OkStatus();
  }

  // broker read|write PATTERN[, PATTERN...]  |  broker default errno(E)
  absl::Status Broker() {
    SourceLocation loc = Next().loc;
    const Token& mode = Next();
    if (mode.kind == Tok::kIdent && mode.text == "default") {
      absl::StatusOr<Action> action = ParseAction();
      if (!action.ok()) return action.status();
      if (action->kind != Action::Kind::kErrno) {
        return PolicyError(mode.loc, "'broker default' takes errno(E)");
      }
      policy_->broker_default_errno = static_cast<int>(action->value);
      return EndOfStatement();
    }
    BrokerRule rule;
    rule.loc = loc;
    if (mode.kind == Tok::kIdent && mode.text == "read") {
      rule.mode = BrokerRule::Mode::kRead;
    } else if (mode.kind == Tok::kIdent && mode.text == "write") {
      rule.mode = BrokerRule::Mode::kWrite;
    } else if (mode.kind == Tok::kIdent && mode.text == "exec") {
      rule.mode = BrokerRule::Mode::kExec;
    } else {
      return PolicyError(
          mode.loc,
          absl::StrCat(
              "expected read, write, exec or default after 'broker', found ",
              Describe(mode)));
    }
    do {
      const Token& pattern = Peek();
      if (pattern.kind != Tok::kPath && pattern.kind != Tok::kString) {
        return PolicyError(
            pattern.loc,
            absl::StrCat("expected an absolute path pattern, found ",
                         Describe(pattern)));
      }
      if (pattern.text.empty() || pattern.text[0] != '/') {
        return PolicyError(pattern.loc, "broker patterns are absolute paths");
      }
      rule.patterns.push_back(pattern.text);
      ++pos_;
    } while (Peek().kind == Tok::kComma && (++pos_, true));
    absl::Status end = EndOfStatement();
    if (!end.ok()) return end;
    policy_->broker_rules.push_back(std::move(rule));
    return absl::OkStatus();
  }

  absl::Status CheckSyscall(const Token& name) {
    for (AbiId abi : AllAbis()) {
      if (GetAbi(abi).Find(name.text)) return absl::OkStatus();
    }
    std::string hint = SuggestSyscall(name.text);
    return PolicyError(
        name.loc,
        absl::StrCat(
            "unknown syscall '", name.text, "'",
            hint.empty() ? "" : absl::StrCat("; did you mean '", hint, "'?")));
  }

  absl::Status Include() {
    SourceLocation loc = Next().loc;
    const Token& path = Peek();
    if (path.kind != Tok::kString) {
      return PolicyError(path.loc,
                         "expected a quoted file name after 'include'");
    }
    ++pos_;
    absl::Status end = EndOfStatement();
    if (!end.ok()) return end;
    std::string full = !path.text.empty() && path.text[0] == '/'
                           ? path.text
                           : DirName(file_) + path.text;
    if (open_files_->count(full)) {
      return PolicyError(loc, absl::StrCat("'", full, "' includes itself"));
    }
    absl::StatusOr<std::string> text = loader_(full);
    if (!text.ok()) {
      return PolicyError(loc, absl::StrCat("cannot include '", full,
                                           "': ", text.status().message()));
    }
    open_files_->insert(full);
    Parser nested(loader_, open_files_, policy_);
    absl::Status s = nested.ParseFile(*text, full);
    open_files_->erase(full);
    return s;
  }

  absl::StatusOr<Action> ParseAction() {
    const Token& t = Next();
    if (t.kind != Tok::kIdent) {
      return PolicyError(
          t.loc, absl::StrCat("expected an action, found ", Describe(t)));
    }
    using K = Action::Kind;
    if (t.text == "allow") return Action{K::kAllow, 0};
    if (t.text == "audit") return Action{K::kAudit, 0};
    if (t.text == "log") return Action{K::kLog, 0};
    if (t.text == "kill" || t.text == "kill-process")
      return Action{K::kKillProcess, 0};
    if (t.text == "kill-thread") return Action{K::kKillThread, 0};
    if (t.text == "trap") return Action{K::kTrap, 0};
    if (t.text == "errno" || t.text == "emulate") {
      bool is_errno = t.text == "errno";
      absl::Status s = Expect(Tok::kLParen, "'('");
      if (!s.ok()) return s;
      bool negative = Peek().kind == Tok::kMinus && !is_errno;
      if (negative) ++pos_;
      const Token& v = Next();
      int64_t value;
      if (v.kind == Tok::kNumber) {
        value = static_cast<int64_t>(v.number);
      } else if (v.kind == Tok::kIdent && ErrnoByName(v.text)) {
        value = *ErrnoByName(v.text);
      } else {
        return PolicyError(
            v.loc,
            is_errno ? absl::StrCat("expected an errno name or number, found ",
                                    Describe(v))
                     : absl::StrCat("expected a number, found ", Describe(v)));
      }
      if (is_errno && (value < 0 || value > 4095)) {
        return PolicyError(
            v.loc, "errno must be between 0 and 4095 (SECCOMP_RET_DATA)");
      }
      s = Expect(Tok::kRParen, "')'");
      if (!s.ok()) return s;
      return Action{is_errno ? K::kErrno : K::kEmulate,
                    negative ? -value : value};
    }
    return PolicyError(
        t.loc, absl::StrCat(
                   "unknown action '", t.text,
                   "'; expected allow, audit, log, errno(E), emulate(N), kill, "
                   "kill-thread or trap"));
  }

  absl::StatusOr<std::unique_ptr<CondExpr>> Or() {
    auto left = And();
    if (!left.ok()) return left;
    while (Peek().kind == Tok::kOrOr) {
      ++pos_;
      auto right = And();
      if (!right.ok()) return right;
      left = Combine(CondExpr::Kind::kOr, std::move(*left), std::move(*right));
    }
    return left;
  }

  absl::StatusOr<std::unique_ptr<CondExpr>> And() {
    auto left = Unary();
    if (!left.ok()) return left;
    while (Peek().kind == Tok::kAndAnd) {
      ++pos_;
      auto right = Unary();
      if (!right.ok()) return right;
      left = Combine(CondExpr::Kind::kAnd, std::move(*left), std::move(*right));
    }
    return left;
  }

  static std::unique_ptr<CondExpr> Combine(CondExpr::Kind kind,
                                           std::unique_ptr<CondExpr> a,
                                           std::unique_ptr<CondExpr> b) {
    auto node = std::make_unique<CondExpr>();
    node->kind = kind;
    node->loc = a->loc;
    node->children.push_back(std::move(a));
    node->children.push_back(std::move(b));
    return node;
  }

  absl::StatusOr<std::unique_ptr<CondExpr>> Unary() {
    const Token& t = Peek();
    if (t.kind == Tok::kBang) {
      ++pos_;
      auto inner = Unary();
      if (!inner.ok()) return inner;
      auto node = std::make_unique<CondExpr>();
      node->kind = CondExpr::Kind::kNot;
      node->loc = t.loc;
      node->children.push_back(std::move(*inner));
      return node;
    }
    // "(" PARAM "&" starts a masked operand; any other "(" groups.
    if (t.kind == Tok::kLParen &&
        !(Peek(1).kind == Tok::kIdent && Peek(2).kind == Tok::kAmp)) {
      ++pos_;
      auto inner = Or();
      if (!inner.ok()) return inner;
      absl::Status s = Expect(Tok::kRParen, "')'");
      if (!s.ok()) return s;
      return inner;
    }
    return Compare();
  }

  absl::StatusOr<std::unique_ptr<CondExpr>> Compare() {
    auto node = std::make_unique<CondExpr>();
    node->kind = CondExpr::Kind::kCompare;
    node->loc = Peek().loc;
    bool masked = Peek().kind == Tok::kLParen;
    if (masked) ++pos_;
    const Token& operand = Next();
    if (operand.kind != Tok::kIdent) {
      return PolicyError(
          operand.loc,
          absl::StrCat(
              "expected an argument (arg0..arg5 or a parameter name), found ",
              Describe(operand)));
    }
    node->operand = operand.text;
    if (masked) {
      absl::Status s = Expect(Tok::kAmp, "'&'");
      if (!s.ok()) return s;
      auto mask = Value();
      if (!mask.ok()) return mask.status();
      node->mask = std::move(*mask);
      s = Expect(Tok::kRParen, "')'");
      if (!s.ok()) return s;
    } else if (Peek().kind == Tok::kAmp) {
      return PolicyError(
          Peek().loc, absl::StrCat("'&' binds weaker than comparisons; write (",
                                   operand.text, " & MASK) == VALUE"));
    }
    const Token& op = Next();
    switch (op.kind) {
      case Tok::kEq:
        node->op = CmpOp::kEq;
        break;
      case Tok::kNe:
        node->op = CmpOp::kNe;
        break;
      case Tok::kLt:
        node->op = CmpOp::kLt;
        break;
      case Tok::kLe:
        node->op = CmpOp::kLe;
        break;
      case Tok::kGt:
        node->op = CmpOp::kGt;
        break;
      case Tok::kGe:
        node->op = CmpOp::kGe;
        break;
      default:
        return PolicyError(
            op.loc,
            absl::StrCat("expected a comparison (== != < <= > >=), found ",
                         Describe(op)));
    }
    auto value = Value();
    if (!value.ok()) return value.status();
    node->value = std::move(*value);
    return node;
  }

  absl::StatusOr<ValueExpr> Value() {
    ValueExpr expr;
    do {
      ValueTerm term;
      term.loc = Peek().loc;
      bool negative = Peek().kind == Tok::kMinus;
      if (negative) ++pos_;
      const Token& t = Next();
      if (t.kind == Tok::kNumber) {
        term.literal =
            negative ? static_cast<uint64_t>(-static_cast<int64_t>(t.number))
                     : t.number;
      } else if (t.kind == Tok::kIdent && !negative) {
        if (!IsKnownConstant(t.text)) {
          return PolicyError(t.loc,
                             absl::StrCat("unknown constant '", t.text, "'"));
        }
        term.constant = t.text;
      } else {
        return PolicyError(
            t.loc,
            absl::StrCat("expected a number or constant, found ", Describe(t)));
      }
      expr.terms.push_back(std::move(term));
    } while (Peek().kind == Tok::kPipe && (++pos_, true));
    return expr;
  }

  const FileLoader& loader_;
  std::set<std::string>* open_files_;
  Policy* policy_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  std::string file_;
};

}  // namespace

FileLoader DiskFileLoader() {
  return [](const std::string& path) -> absl::StatusOr<std::string> {
    std::ifstream in(path);
    if (!in) return absl::NotFoundError("no such file or not readable");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
}

absl::StatusOr<Policy> ParsePolicy(absl::string_view text,
                                   absl::string_view file_name,
                                   const FileLoader& loader) {
  Policy policy;
  std::set<std::string> open_files = {std::string(file_name)};
  Parser parser(loader, &open_files, &policy);
  absl::Status s = parser.ParseFile(text, std::string(file_name));
  if (!s.ok()) return s;
  return policy;
}

absl::StatusOr<Policy> ParsePolicyFile(const std::string& path,
                                       const FileLoader& loader) {
  absl::StatusOr<std::string> text = loader(path);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat(path, ": error: cannot read policy: ",
                                     text.status().message()));
  }
  return ParsePolicy(*text, path, loader);
}

}  // namespace sysgate
