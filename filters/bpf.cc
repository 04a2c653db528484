#include "filters/bpf.h"

#include "absl/strings/str_cat.h"

namespace sysgate {

absl::Status ValidateProgram(const BpfProgram& program) {
  if (program.empty() || program.size() > kMaxInstructions) {
    return absl::InvalidArgumentError(absl::StrCat(
        "filter has ", program.size(),
        " instructions; the kernel accepts 1 to ", kMaxInstructions));
  }
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& in = program[pc];
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("instruction ", pc, ": ", why));
    };
    switch (BPF_CLASS(in.code)) {
      case BPF_LD:
        if (in.code == (BPF_LD | BPF_W | BPF_ABS)) {
          if (in.k >= sizeof(seccomp_data) || in.k % 4 != 0)
            return bad("load outside seccomp_data");
        } else if (in.code != (BPF_LD | BPF_W | BPF_LEN) &&
                   in.code != (BPF_LD | BPF_IMM) &&
                   in.code != (BPF_LD | BPF_MEM)) {
          return bad("load mode not allowed in seccomp filters");
        }
        break;
      case BPF_LDX:
        if (in.code != (BPF_LDX | BPF_W | BPF_LEN) &&
            in.code != (BPF_LDX | BPF_IMM) && in.code != (BPF_LDX | BPF_MEM)) {
          return bad("ldx mode not allowed in seccomp filters");
        }
        break;
      case BPF_ST:
      case BPF_STX:
        if (in.k >= BPF_MEMWORDS)
          return bad("scratch memory index out of range");
        break;
      case BPF_ALU:
        if ((BPF_OP(in.code) == BPF_DIV || BPF_OP(in.code) == BPF_MOD) &&
            BPF_SRC(in.code) == BPF_K && in.k == 0) {
          return bad("division by zero");
        }
        break;
      case BPF_JMP:
        if (BPF_OP(in.code) == BPF_JA) {
          if (in.k >= program.size() - pc - 1) return bad("jump past the end");
        } else if (pc + 1 + in.jt >= program.size() ||
                   pc + 1 + in.jf >= program.size()) {
          return bad("conditional jump past the end");
        }
        break;
      case BPF_RET:
      case BPF_MISC:
        break;
    }
  }
  if (BPF_CLASS(program.back().code) != BPF_RET) {
    return absl::InvalidArgumentError("the last instruction is not a return");
  }
  return absl::OkStatus();
}

}  // namespace sysgate
