#include "filters/disassembler.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "arch/abi.h"

namespace sysgate {
namespace {

std::string Field(uint32_t k) {
  if (k == kNrOffset) return "nr";
  if (k == kArchOffset) return "arch";
  if (k == kIpOffset) return "ip.lo";
  if (k == kIpOffset + 4) return "ip.hi";
  if (k >= ArgLowOffset(0) && k < ArgLowOffset(6)) {
    int arg = (k - ArgLowOffset(0)) / 8;
    return absl::StrCat("arg", arg, (k - ArgLowOffset(0)) % 8 ? ".hi" : ".lo");
  }
  return absl::StrCat("[", k, "]");
}

const char* JumpName(uint16_t op) {
  switch (op) {
    case BPF_JEQ:
      return "jeq";
    case BPF_JGT:
      return "jgt";
    case BPF_JGE:
      return "jge";
    case BPF_JSET:
      return "jset";
  }
  return "j?";
}

const char* AluName(uint16_t op) {
  switch (op) {
    case BPF_ADD:
      return "add";
    case BPF_SUB:
      return "sub";
    case BPF_MUL:
      return "mul";
    case BPF_DIV:
      return "div";
    case BPF_MOD:
      return "mod";
    case BPF_OR:
      return "or";
    case BPF_AND:
      return "and";
    case BPF_XOR:
      return "xor";
    case BPF_LSH:
      return "lsh";
    case BPF_RSH:
      return "rsh";
    case BPF_NEG:
      return "neg";
  }
  return "alu?";
}

}  // namespace

std::string DescribeReturn(uint32_t ret) {
  uint32_t data = ret & SECCOMP_RET_DATA;
  switch (ret & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_KILL_PROCESS:
      return "KILL_PROCESS";
    case SECCOMP_RET_KILL_THREAD:
      return "KILL_THREAD";
    case SECCOMP_RET_TRAP:
      return absl::StrFormat("TRAP(%#x)", data);
    case SECCOMP_RET_ERRNO:
      return absl::StrCat("ERRNO(", data, ")");
    case SECCOMP_RET_USER_NOTIF:
      return "USER_NOTIF";
    case SECCOMP_RET_TRACE:
      return absl::StrFormat("TRACE(%#x)", data);
    case SECCOMP_RET_LOG:
      return "LOG";
    case SECCOMP_RET_ALLOW:
      return "ALLOW";
  }
  return absl::StrFormat("%#x", ret);
}

std::string Disassemble(const BpfProgram& program) {
  std::string out;
  uint32_t last_load = ~0u;  // Which seccomp_data word A last came from.
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& in = program[pc];
    std::string text;
    switch (BPF_CLASS(in.code)) {
      case BPF_LD:
        if (BPF_MODE(in.code) == BPF_ABS) {
          text = absl::StrCat("ld  ", Field(in.k));
          last_load = in.k;
        } else if (BPF_MODE(in.code) == BPF_IMM) {
          text = absl::StrFormat("ld  #%#x", in.k);
        } else if (BPF_MODE(in.code) == BPF_MEM) {
          text = absl::StrCat("ld  M[", in.k, "]");
        } else {
          text = "ld  #len";
        }
        break;
      case BPF_LDX:
        text = BPF_MODE(in.code) == BPF_MEM ? absl::StrCat("ldx M[", in.k, "]")
                                            : absl::StrFormat("ldx #%#x", in.k);
        break;
      case BPF_ST:
        text = absl::StrCat("st  M[", in.k, "]");
        break;
      case BPF_STX:
        text = absl::StrCat("stx M[", in.k, "]");
        break;
      case BPF_ALU:
        text = absl::StrFormat("%s %s", AluName(BPF_OP(in.code)),
                               BPF_SRC(in.code) == BPF_X
                                   ? std::string("x")
                                   : absl::StrFormat("#%#x", in.k));
        break;
      case BPF_JMP:
        if (BPF_OP(in.code) == BPF_JA) {
          text = absl::StrFormat("ja  %04d", pc + 1 + in.k);
        } else {
          std::string k = BPF_SRC(in.code) == BPF_X
                              ? std::string("x")
                              : absl::StrFormat("#%#x", in.k);
          if (last_load == kArchOffset) {
            if (const Abi* abi = AbiForAuditArch(in.k))
              absl::StrAppend(&k, " (", abi->name(), ")");
          }
          text = absl::StrFormat("%s %s, %04d, %04d", JumpName(BPF_OP(in.code)),
                                 k, pc + 1 + in.jt, pc + 1 + in.jf);
        }
        break;
      case BPF_RET:
        text = BPF_RVAL(in.code) == BPF_A
                   ? "ret A"
                   : absl::StrCat("ret ", DescribeReturn(in.k));
        break;
      case BPF_MISC:
        text = BPF_MISCOP(in.code) == BPF_TAX ? "tax" : "txa";
        break;
    }
    absl::StrAppendFormat(&out, "%04d: %s\n", pc, text);
  }
  return out;
}

}  // namespace sysgate
