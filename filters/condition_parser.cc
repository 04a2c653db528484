#include "filters/condition_parser.h"

#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "filters/constants.h"

namespace sysgate {
namespace {

absl::optional<CmpOp> ComparisonOf(Tok kind) {
  static constexpr struct {
    Tok token;
    CmpOp op;
  } kComparisons[] = {
      {Tok::kEq, CmpOp::kEq}, {Tok::kNe, CmpOp::kNe}, {Tok::kLt, CmpOp::kLt},
      {Tok::kLe, CmpOp::kLe}, {Tok::kGt, CmpOp::kGt}, {Tok::kGe, CmpOp::kGe},
  };
  for (const auto& comparison : kComparisons) {
    if (comparison.token == kind) return comparison.op;
  }
  return absl::nullopt;
}

class ConditionParser {
 public:
  explicit ConditionParser(TokenCursor* tokens) : tokens_(*tokens) {}

  // cond := and ('||' and)*
  absl::StatusOr<std::unique_ptr<CondExpr>> Or() {
    return Chain(Tok::kOrOr, CondExpr::Kind::kOr, &ConditionParser::And);
  }

 private:
  using Operand =
      absl::StatusOr<std::unique_ptr<CondExpr>> (ConditionParser::*)();

  // and := unary ('&&' unary)*
  absl::StatusOr<std::unique_ptr<CondExpr>> And() {
    return Chain(Tok::kAndAnd, CondExpr::Kind::kAnd, &ConditionParser::Unary);
  }

  // operand (OP operand)*, grouped to the left.
  absl::StatusOr<std::unique_ptr<CondExpr>> Chain(Tok op, CondExpr::Kind kind,
                                                  Operand operand) {
    auto left = (this->*operand)();
    if (!left.ok()) return left;
    while (tokens_.Accept(op)) {
      auto right = (this->*operand)();
      if (!right.ok()) return right;
      auto node = std::make_unique<CondExpr>();
      node->kind = kind;
      node->loc = (*left)->loc;
      node->children.push_back(std::move(*left));
      node->children.push_back(std::move(*right));
      left = std::move(node);
    }
    return left;
  }

  // unary := '!' unary | '(' cond ')' | compare
  absl::StatusOr<std::unique_ptr<CondExpr>> Unary() {
    const Token& t = tokens_.Peek();
    if (tokens_.Accept(Tok::kBang)) {
      auto inner = Unary();
      if (!inner.ok()) return inner;
      auto node = std::make_unique<CondExpr>();
      node->kind = CondExpr::Kind::kNot;
      node->loc = t.loc;
      node->children.push_back(std::move(*inner));
      return node;
    }
    // "(" PARAM "&" starts a masked operand; any other "(" groups.
    if (t.kind == Tok::kLParen && !(tokens_.Peek(1).kind == Tok::kIdent &&
                                    tokens_.Peek(2).kind == Tok::kAmp)) {
      tokens_.Skip();
      auto inner = Or();
      if (!inner.ok()) return inner;
      absl::Status s = tokens_.Expect(Tok::kRParen, "')'");
      if (!s.ok()) return s;
      return inner;
    }
    return Compare();
  }

  // compare := operand OP value
  // operand := PARAM | '(' PARAM '&' value ')'
  absl::StatusOr<std::unique_ptr<CondExpr>> Compare() {
    auto node = std::make_unique<CondExpr>();
    node->kind = CondExpr::Kind::kCompare;
    node->loc = tokens_.Peek().loc;
    bool masked = tokens_.Accept(Tok::kLParen);
    const Token& operand = tokens_.Next();
    if (operand.kind != Tok::kIdent) {
      return TokenCursor::Unexpected(
          operand, "an argument (arg0..arg5 or a parameter name)");
    }
    node->operand = operand.text;
    if (masked) {
      absl::Status s = tokens_.Expect(Tok::kAmp, "'&'");
      if (!s.ok()) return s;
      auto mask = Value();
      if (!mask.ok()) return mask.status();
      node->mask = std::move(*mask);
      s = tokens_.Expect(Tok::kRParen, "')'");
      if (!s.ok()) return s;
    } else if (tokens_.Peek().kind == Tok::kAmp) {
      return PolicyError(
          tokens_.Peek().loc,
          absl::StrCat("'&' binds weaker than comparisons; write (",
                       operand.text, " & MASK) == VALUE"));
    }
    const Token& op = tokens_.Next();
    absl::optional<CmpOp> cmp = ComparisonOf(op.kind);
    if (!cmp)
      return TokenCursor::Unexpected(op, "a comparison (== != < <= > >=)");
    node->op = *cmp;
    auto value = Value();
    if (!value.ok()) return value.status();
    node->value = std::move(*value);
    return node;
  }

  // value := term ('|' term)*   term := ['-'] NUMBER | CONSTANT
  absl::StatusOr<ValueExpr> Value() {
    ValueExpr expr;
    do {
      ValueTerm term;
      term.loc = tokens_.Peek().loc;
      bool negative = tokens_.Accept(Tok::kMinus);
      const Token& t = tokens_.Next();
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
        return TokenCursor::Unexpected(t, "a number or constant");
      }
      expr.terms.push_back(std::move(term));
    } while (tokens_.Accept(Tok::kPipe));
    return expr;
  }

  TokenCursor& tokens_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CondExpr>> ParseCondition(TokenCursor* tokens) {
  return ConditionParser(tokens).Or();
}

}  // namespace sysgate
