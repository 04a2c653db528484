#include "filters/parser.h"

#include <fstream>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "arch/abi.h"
#include "arch/call_families.h"
#include "filters/condition_parser.h"
#include "filters/constants.h"
#include "filters/lexer.h"
#include "filters/token_cursor.h"

namespace sysgate {
namespace {

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

// The statements of one policy file (grammar: parser.h); an include parses
// the named file with a Parser of its own, into the same Policy.
class Parser {
 public:
  Parser(const FileLoader& loader, std::set<std::string>* open_files,
         Policy* policy, std::string file, std::vector<Token> tokens)
      : loader_(loader),
        open_files_(open_files),
        policy_(policy),
        file_(std::move(file)),
        tokens_(std::move(tokens)) {}

  static absl::Status ParseFile(absl::string_view text, const std::string& file,
                                const FileLoader& loader,
                                std::set<std::string>* open_files,
                                Policy* policy) {
    absl::StatusOr<std::vector<Token>> tokens = Tokenize(text, file);
    if (!tokens.ok()) return tokens.status();
    return Parser(loader, open_files, policy, file, std::move(*tokens))
        .Statements();
  }

 private:
  absl::Status Statements() {
    while (tokens_.Peek().kind != Tok::kEnd) {
      if (tokens_.Accept(Tok::kNewline)) continue;
      absl::Status s = Statement();
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status Statement() {
    const Token& first = tokens_.Peek();
    if (first.kind != Tok::kIdent) {
      return TokenCursor::Unexpected(first,
                                     "an action, 'default' or 'include'");
    }
    if (first.text == "include") return Include();
    if (first.text == "broker") return Broker();
    if (first.text == "default") {
      tokens_.Skip();
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
      return tokens_.ExpectEndOfLine();
    }
    Rule rule;
    rule.loc = first.loc;
    absl::StatusOr<Action> action = ParseAction();
    if (!action.ok()) return action.status();
    rule.action = *action;
    std::vector<std::string> families;  // "@open", as written.
    do {
      const Token& name = tokens_.Peek();
      if (name.kind != Tok::kIdent) {
        return TokenCursor::Unexpected(name, "a syscall name");
      }
      if (name.text[0] == '@') {
        absl::Status family = AddFamily(name, rule);
        if (!family.ok()) return family;
        families.push_back(name.text);
        tokens_.Skip();
        continue;
      }
      absl::Status known = CheckSyscall(name);
      if (!known.ok()) return known;
      rule.syscalls.push_back(name.text);
      rule.syscall_locs.push_back(name.loc);
      tokens_.Skip();
    } while (tokens_.Accept(Tok::kComma));
    if (tokens_.Peek().kind == Tok::kIdent && tokens_.Peek().text == "if") {
      tokens_.Skip();
      absl::StatusOr<std::unique_ptr<CondExpr>> cond = ParseCondition(&tokens_);
      if (!cond.ok()) return cond.status();
      rule.condition = std::move(*cond);
      if (!families.empty()) {
        absl::Status positional = CheckPositional(
            *rule.condition, rule, absl::StrJoin(families, ", "));
        if (!positional.ok()) return positional;
      }
    }
    absl::Status end = tokens_.ExpectEndOfLine();
    if (!end.ok()) return end;
    policy_->rules.push_back(std::move(rule));
    return absl::OkStatus();
  }

  // broker read|write|exec|deny PATTERN[, PATTERN...]
  //   | broker default errno(E)
  absl::Status Broker() {
    SourceLocation loc = tokens_.Next().loc;
    const Token& mode = tokens_.Next();
    if (mode.kind == Tok::kIdent && mode.text == "default") {
      absl::StatusOr<Action> action = ParseAction();
      if (!action.ok()) return action.status();
      if (action->kind != Action::Kind::kErrno) {
        return PolicyError(mode.loc, "'broker default' takes errno(E)");
      }
      policy_->broker_default_errno = static_cast<int>(action->value);
      return tokens_.ExpectEndOfLine();
    }
    BrokerRule rule;
    rule.loc = loc;
    if (mode.kind == Tok::kIdent && mode.text == "read") {
      rule.mode = BrokerRule::Mode::kRead;
    } else if (mode.kind == Tok::kIdent && mode.text == "write") {
      rule.mode = BrokerRule::Mode::kWrite;
    } else if (mode.kind == Tok::kIdent && mode.text == "exec") {
      rule.mode = BrokerRule::Mode::kExec;
    } else if (mode.kind == Tok::kIdent && mode.text == "deny") {
      rule.mode = BrokerRule::Mode::kDeny;
    } else {
      return TokenCursor::Unexpected(
          mode, "read, write, exec, deny or default after 'broker'");
    }
    do {
      const Token& pattern = tokens_.Peek();
      if (pattern.kind != Tok::kPath && pattern.kind != Tok::kString) {
        return TokenCursor::Unexpected(pattern, "an absolute path pattern");
      }
      if (pattern.text.empty() || pattern.text[0] != '/') {
        return PolicyError(pattern.loc, "broker patterns are absolute paths");
      }
      rule.patterns.push_back(pattern.text);
      tokens_.Skip();
    } while (tokens_.Accept(Tok::kComma));
    absl::Status end = tokens_.ExpectEndOfLine();
    if (!end.ok()) return end;
    policy_->broker_rules.push_back(std::move(rule));
    return absl::OkStatus();
  }

  // `@NAME`: every member of the family that some ABI has.
  absl::Status AddFamily(const Token& name, Rule& rule) {
    const CallFamily* family = FindCallFamily(name.text.substr(1));
    if (family == nullptr) {
      std::string known;
      for (const CallFamily& f : CallFamilies())
        absl::StrAppend(&known, known.empty() ? "@" : ", @", f.name);
      return PolicyError(name.loc, absl::StrCat("unknown call family '",
                                                name.text, "' (", known, ")"));
    }
    for (const char* member : family->members) {
      bool exists = false;
      for (AbiId abi : AllAbis()) exists |= GetAbi(abi).Find(member) != nullptr;
      if (!exists) continue;
      rule.syscalls.push_back(member);
      rule.syscall_locs.push_back(name.loc);
    }
    return absl::OkStatus();
  }

  // `argN` in a rule on a family compares, in each member, that member's
  // Nth parameter: where two members' differ on some ABI (openat's arg2 is
  // its flags, openat2's the struct open_how pointer), one condition would
  // mean different things, so the parameter must be named instead.
  absl::Status CheckPositional(const CondExpr& e, const Rule& rule,
                               const std::string& families) {
    for (const auto& child : e.children) {
      absl::Status s = CheckPositional(*child, rule, families);
      if (!s.ok()) return s;
    }
    absl::string_view operand = e.operand;
    size_t index;
    if (e.kind != CondExpr::Kind::kCompare ||
        !absl::ConsumePrefix(&operand, "arg") ||
        !absl::SimpleAtoi(operand, &index)) {
      return absl::OkStatus();
    }
    for (AbiId abi : AllAbis()) {
      std::string first_call, first_param;
      for (const std::string& call : rule.syscalls) {
        const SyscallDesc* desc = GetAbi(abi).Find(call);
        if (desc == nullptr || !desc->described) continue;
        std::string param = index < desc->params.size()
                                ? std::string(desc->params[index].name)
                                : "nothing";
        if (first_call.empty()) {
          first_call = call;
          first_param = param;
        } else if (param != first_param) {
          return PolicyError(
              e.loc,
              absl::StrCat(e.operand, " is '", first_param, "' in ", first_call,
                           " but '", param, "' in ", call, " (", families,
                           "): name the parameter instead"));
        }
      }
    }
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
    SourceLocation loc = tokens_.Next().loc;
    const Token& path = tokens_.Peek();
    if (!tokens_.Accept(Tok::kString)) {
      return PolicyError(path.loc,
                         "expected a quoted file name after 'include'");
    }
    absl::Status end = tokens_.ExpectEndOfLine();
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
    absl::Status s = ParseFile(*text, full, loader_, open_files_, policy_);
    open_files_->erase(full);
    return s;
  }

  absl::StatusOr<Action> ParseAction() {
    const Token& t = tokens_.Next();
    if (t.kind != Tok::kIdent) {
      return TokenCursor::Unexpected(t, "an action");
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
      absl::Status s = tokens_.Expect(Tok::kLParen, "'('");
      if (!s.ok()) return s;
      bool negative = !is_errno && tokens_.Accept(Tok::kMinus);
      const Token& v = tokens_.Next();
      int64_t value;
      if (v.kind == Tok::kNumber) {
        value = static_cast<int64_t>(v.number);
      } else if (v.kind == Tok::kIdent && ErrnoByName(v.text)) {
        value = *ErrnoByName(v.text);
      } else {
        return TokenCursor::Unexpected(
            v, is_errno ? "an errno name or number" : "a number");
      }
      if (is_errno && (value < 0 || value > 4095)) {
        return PolicyError(
            v.loc, "errno must be between 0 and 4095 (SECCOMP_RET_DATA)");
      }
      s = tokens_.Expect(Tok::kRParen, "')'");
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

  const FileLoader& loader_;
  std::set<std::string>* open_files_;
  Policy* policy_;
  std::string file_;
  TokenCursor tokens_;
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
  absl::Status s = Parser::ParseFile(text, std::string(file_name), loader,
                                     &open_files, &policy);
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
