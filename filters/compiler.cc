#include "filters/compiler.h"

#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace sysgate {
namespace {

constexpr uint32_t kX32Bit = kX32SyscallBit;

// Straight-line BPF with symbolic forward jumps. Conditional jumps reach
// 255 instructions; a farther one is rewritten into `jcc 0,1; ja T; ja F`
// until every offset fits (the sizes only grow, so this terminates).
class Assembler {
 public:
  int NewLabel() { return next_label_++; }
  void Bind(int label) { items_.push_back({Item::kLabel, {}, label, -1, -1}); }
  void Load(uint32_t offset) { Insn(BPF_LD | BPF_W | BPF_ABS, offset); }
  void And(uint32_t k) { Insn(BPF_ALU | BPF_AND | BPF_K, k); }
  void Ret(uint32_t k) { Insn(BPF_RET | BPF_K, k); }
  void Goto(int label) {
    items_.push_back({Item::kGoto, {BPF_JMP | BPF_JA, 0, 0, 0}, label, -1, -1});
  }
  void Jump(uint16_t op, uint32_t k, int jt, int jf) {
    items_.push_back({Item::kCond,
                      {static_cast<uint16_t>(BPF_JMP | op | BPF_K), 0, 0, k},
                      -1,
                      jt,
                      jf});
  }

  absl::StatusOr<BpfProgram> Finish() {
    std::vector<bool> expanded(items_.size(), false);
    std::vector<size_t> addr(items_.size());
    absl::flat_hash_map<int, size_t> label_addr;
    for (bool changed = true; changed;) {
      changed = false;
      size_t pc = 0;
      for (size_t i = 0; i < items_.size(); ++i) {
        addr[i] = pc;
        if (items_[i].kind == Item::kLabel) {
          label_addr[items_[i].label] = pc;
        } else {
          pc += expanded[i] ? 3 : 1;
        }
      }
      for (size_t i = 0; i < items_.size(); ++i) {
        if (items_[i].kind != Item::kCond || expanded[i]) continue;
        size_t next = addr[i] + 1;
        if (label_addr.at(items_[i].jt) - next > 255 ||
            label_addr.at(items_[i].jf) - next > 255) {
          expanded[i] = true;
          changed = true;
        }
      }
    }
    BpfProgram out;
    for (size_t i = 0; i < items_.size(); ++i) {
      const Item& item = items_[i];
      switch (item.kind) {
        case Item::kLabel:
          break;
        case Item::kInsn:
          out.push_back(item.insn);
          break;
        case Item::kGoto: {
          sock_filter ja = item.insn;
          ja.k =
              static_cast<uint32_t>(label_addr.at(item.label) - (addr[i] + 1));
          out.push_back(ja);
          break;
        }
        case Item::kCond: {
          sock_filter j = item.insn;
          size_t t = label_addr.at(item.jt), f = label_addr.at(item.jf);
          if (!expanded[i]) {
            j.jt = static_cast<uint8_t>(t - (addr[i] + 1));
            j.jf = static_cast<uint8_t>(f - (addr[i] + 1));
            out.push_back(j);
          } else {
            j.jt = 0;
            j.jf = 1;
            out.push_back(j);
            out.push_back({BPF_JMP | BPF_JA, 0, 0,
                           static_cast<uint32_t>(t - (addr[i] + 2))});
            out.push_back({BPF_JMP | BPF_JA, 0, 0,
                           static_cast<uint32_t>(f - (addr[i] + 3))});
          }
          break;
        }
      }
    }
    return out;
  }

 private:
  struct Item {
    enum Kind { kInsn, kLabel, kGoto, kCond } kind;
    sock_filter insn;
    int label;   // kLabel, kGoto.
    int jt, jf;  // kCond.
  };
  void Insn(uint16_t code, uint32_t k) {
    items_.push_back({Item::kInsn, {code, 0, 0, k}, -1, -1, -1});
  }

  std::vector<Item> items_;
  int next_label_ = 0;
};

class Compiler {
 public:
  explicit Compiler(const FilterSpec& spec) : spec_(spec) {}

  absl::StatusOr<BpfProgram> Run() {
    int unknown_arch = RetLabel(spec_.unknown_arch_return);
    std::vector<int> sections;
    asm_.Load(kArchOffset);
    for (size_t i = 0; i < spec_.abis.size(); ++i) {
      sections.push_back(asm_.NewLabel());
      int next = i + 1 < spec_.abis.size() ? asm_.NewLabel() : unknown_arch;
      asm_.Jump(BPF_JEQ, GetAbi(spec_.abis[i]->abi()).audit_arch(), sections[i],
                next);
      if (next != unknown_arch) asm_.Bind(next);
    }
    if (spec_.abis.empty()) asm_.Goto(unknown_arch);
    for (size_t i = 0; i < spec_.abis.size(); ++i) {
      asm_.Bind(sections[i]);
      asm_.Load(kNrOffset);
      EmitSection(*spec_.abis[i]);
    }
    EmitLeaves();
    absl::StatusOr<BpfProgram> program = asm_.Finish();
    if (!program.ok()) return program;
    absl::Status valid = ValidateProgram(*program);
    if (!valid.ok()) return valid;
    return program;
  }

 private:
  struct Range {
    uint32_t start;
    int leaf;
  };

  void EmitSection(const AbiPolicy& policy) {
    std::map<uint32_t, int> leaf_by_nr;
    for (const SyscallRules& rules : policy.syscalls()) {
      leaf_by_nr[static_cast<uint32_t>(rules.nr)] = LeafFor(rules);
    }
    for (const auto& [nr, ret] : spec_.fixed) leaf_by_nr[nr] = RetLabel(ret);
    int fallback = RetLabel(spec_.default_return);
    std::vector<Range> ranges;
    auto add = [&](uint32_t start, int leaf) {
      if (!ranges.empty() && ranges.back().leaf == leaf) return;
      ranges.push_back({start, leaf});
    };
    add(0, fallback);
    uint32_t limit = policy.abi() == AbiId::kX86_64 ? kX32Bit : 0xffffffffu;
    for (const auto& [nr, leaf] : leaf_by_nr) {
      if (nr >= limit) continue;
      add(nr, leaf);
      if (nr + 1 < limit && !leaf_by_nr.count(nr + 1)) add(nr + 1, fallback);
    }
    if (policy.abi() == AbiId::kX86_64)
      add(kX32Bit, RetLabel(spec_.x32_return));
    EmitSearch(ranges, 0, ranges.size());
  }

  // `A` holds nr. Ranges [lo, hi) partition the numbers from ranges[lo].start.
  void EmitSearch(const std::vector<Range>& ranges, size_t lo, size_t hi) {
    if (hi - lo == 1) {
      asm_.Goto(ranges[lo].leaf);
      return;
    }
    struct Node {
      size_t lo, hi;
      int label;
    };
    std::vector<Node> stack = {{lo, hi, -1}};
    auto target = [&](size_t a, size_t b) {
      if (b - a == 1) return ranges[a].leaf;
      int label = asm_.NewLabel();
      stack.push_back({a, b, label});
      return label;
    };
    while (!stack.empty()) {
      Node node = stack.back();
      stack.pop_back();
      if (node.label >= 0) asm_.Bind(node.label);
      size_t mid = (node.lo + node.hi) / 2;
      // Push the upper half first so the lower half is emitted next and
      // its jump is short.
      int upper = target(mid, node.hi);
      int lower = target(node.lo, mid);
      asm_.Jump(BPF_JGE, ranges[mid].start, upper, lower);
    }
  }

  int RetLabel(uint32_t ret) {
    auto it = ret_labels_.find(ret);
    if (it != ret_labels_.end()) return it->second;
    int label = asm_.NewLabel();
    ret_labels_[ret] = label;
    return label;
  }

  int LeafFor(const SyscallRules& rules) {
    if (!rules.rules.front().cond)
      return RetLabel(spec_.rule_returns[rules.rules.front().rule]);
    std::string key;
    for (const ResolvedRule& r : rules.rules) {
      absl::StrAppend(&key, spec_.rule_returns[r.rule],
                      r.cond ? r.cond->Key() : "*", ";");
      if (!r.cond) break;
    }
    auto it = cond_leaves_.find(key);
    if (it != cond_leaves_.end()) return it->second.label;
    int label = asm_.NewLabel();
    cond_leaves_[key] = {label, &rules};
    cond_order_.push_back(key);
    return label;
  }

  // A conditional leaf returns inline: a shared `ret` at the end of the
  // program would be out of a conditional jump's reach in large filters.
  void EmitLeaves() {
    for (const std::string& key : cond_order_) {
      const CondLeaf& leaf = cond_leaves_[key];
      asm_.Bind(leaf.label);
      bool ended = false;
      for (const ResolvedRule& r : leaf.rules->rules) {
        uint32_t ret = spec_.rule_returns[r.rule];
        if (!r.cond) {
          asm_.Ret(ret);
          ended = true;
          break;
        }
        int match = asm_.NewLabel(), next = asm_.NewLabel();
        EmitCond(*r.cond, match, next);
        asm_.Bind(match);
        asm_.Ret(ret);
        asm_.Bind(next);
      }
      if (!ended) asm_.Ret(spec_.default_return);
    }
    for (const auto& [ret, label] : ret_labels_) {
      asm_.Bind(label);
      asm_.Ret(ret);
    }
  }

  void EmitCond(const ResolvedCond& cond, int on_true, int on_false) {
    switch (cond.kind) {
      case ResolvedCond::Kind::kAnd: {
        int mid = asm_.NewLabel();
        EmitCond(cond.children[0], mid, on_false);
        asm_.Bind(mid);
        EmitCond(cond.children[1], on_true, on_false);
        return;
      }
      case ResolvedCond::Kind::kOr: {
        int mid = asm_.NewLabel();
        EmitCond(cond.children[0], on_true, mid);
        asm_.Bind(mid);
        EmitCond(cond.children[1], on_true, on_false);
        return;
      }
      case ResolvedCond::Kind::kNot:
        EmitCond(cond.children[0], on_false, on_true);
        return;
      case ResolvedCond::Kind::kTest:
        EmitTest(cond.test, on_true, on_false);
        return;
    }
  }

  void LoadMasked(uint32_t offset, uint32_t mask) {
    asm_.Load(offset);
    if (mask != 0xffffffffu) asm_.And(mask);
  }

  // One 32-bit unsigned comparison of A against k.
  void Compare32(CmpOp op, uint32_t k, int t, int f) {
    switch (op) {
      case CmpOp::kEq:
        asm_.Jump(BPF_JEQ, k, t, f);
        return;
      case CmpOp::kNe:
        asm_.Jump(BPF_JEQ, k, f, t);
        return;
      case CmpOp::kGt:
        asm_.Jump(BPF_JGT, k, t, f);
        return;
      case CmpOp::kGe:
        asm_.Jump(BPF_JGE, k, t, f);
        return;
      case CmpOp::kLt:
        asm_.Jump(BPF_JGE, k, f, t);
        return;
      case CmpOp::kLe:
        asm_.Jump(BPF_JGT, k, f, t);
        return;
    }
  }

  // 64-bit values are compared high word first: it decides unless equal,
  // then the low word decides (BPF only sees 32 bits at a time).
  void EmitTest(const ArgTest& test, int on_true, int on_false) {
    uint32_t mask_lo = static_cast<uint32_t>(test.mask);
    uint32_t value_lo = static_cast<uint32_t>(test.value);
    if (test.bits <= 32) {  // The mask holds only the bits the kernel reads.
      LoadMasked(ArgLowOffset(test.arg), mask_lo);
      Compare32(test.op, value_lo, on_true, on_false);
      return;
    }
    uint32_t mask_hi = static_cast<uint32_t>(test.mask >> 32);
    uint32_t value_hi = static_cast<uint32_t>(test.value >> 32);
    bool eq_op = test.op == CmpOp::kEq || test.op == CmpOp::kNe;
    bool greater = test.op == CmpOp::kGt || test.op == CmpOp::kGe;
    // Where the high words decide: for ==, a difference means false (true
    // for !=); for orderings, high > value_hi means "greater".
    int hi_differs_eq = test.op == CmpOp::kEq ? on_false : on_true;
    int hi_above = greater ? on_true : on_false;
    int hi_below = greater ? on_false : on_true;
    int low = asm_.NewLabel();
    if (mask_hi == 0) {
      // The masked high word is 0: decide statically.
      if (value_hi != 0) {
        asm_.Goto(eq_op ? hi_differs_eq : hi_below);
        return;
      }
    } else {
      LoadMasked(test.high_arg < 0 ? ArgHighOffset(test.arg)
                                   : ArgLowOffset(test.high_arg),
                 mask_hi);
      if (eq_op) {
        asm_.Jump(BPF_JEQ, value_hi, low, hi_differs_eq);
      } else {
        int not_above = asm_.NewLabel();
        asm_.Jump(BPF_JGT, value_hi, hi_above, not_above);
        asm_.Bind(not_above);
        asm_.Jump(BPF_JEQ, value_hi, low, hi_below);
      }
    }
    asm_.Bind(low);
    LoadMasked(ArgLowOffset(test.arg), mask_lo);
    Compare32(test.op, value_lo, on_true, on_false);
  }

  struct CondLeaf {
    int label = -1;
    const SyscallRules* rules = nullptr;
  };

  const FilterSpec& spec_;
  Assembler asm_;
  std::map<uint32_t, int> ret_labels_;
  absl::flat_hash_map<std::string, CondLeaf> cond_leaves_;
  std::vector<std::string> cond_order_;
};

}  // namespace

absl::StatusOr<BpfProgram> CompileFilter(const FilterSpec& spec) {
  return Compiler(spec).Run();
}

}  // namespace sysgate
