#include "filters/interpreter.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace sysgate {

absl::StatusOr<InterpreterResult> RunFilter(const BpfProgram& program,
                                            const seccomp_data& data) {
  InterpreterResult result;
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
  size_t pc = 0;
  auto word = [&](uint32_t off) {
    uint32_t w;
    std::memcpy(&w, reinterpret_cast<const uint8_t*>(&data) + off, 4);
    if (off >= kIpOffset) result.loaded_args = true;
    return w;
  };
  while (pc < program.size()) {
    const sock_filter& in = program[pc++];
    ++result.instructions;
    uint32_t src = BPF_SRC(in.code) == BPF_X ? x : in.k;
    switch (BPF_CLASS(in.code)) {
      case BPF_LD:
        switch (BPF_MODE(in.code)) {
          case BPF_ABS:
            if (in.k + 4 > sizeof(data))
              return absl::InvalidArgumentError("load out of bounds");
            a = word(in.k);
            break;
          case BPF_LEN:
            a = sizeof(data);
            break;
          case BPF_IMM:
            a = in.k;
            break;
          case BPF_MEM:
            a = mem[in.k % BPF_MEMWORDS];
            break;
          default:
            return absl::InvalidArgumentError("bad load");
        }
        break;
      case BPF_LDX:
        switch (BPF_MODE(in.code)) {
          case BPF_LEN:
            x = sizeof(data);
            break;
          case BPF_IMM:
            x = in.k;
            break;
          case BPF_MEM:
            x = mem[in.k % BPF_MEMWORDS];
            break;
          default:
            return absl::InvalidArgumentError("bad ldx");
        }
        break;
      case BPF_ST:
        mem[in.k % BPF_MEMWORDS] = a;
        break;
      case BPF_STX:
        mem[in.k % BPF_MEMWORDS] = x;
        break;
      case BPF_ALU:
        switch (BPF_OP(in.code)) {
          case BPF_ADD:
            a += src;
            break;
          case BPF_SUB:
            a -= src;
            break;
          case BPF_MUL:
            a *= src;
            break;
          case BPF_DIV:
            if (src == 0)
              return InterpreterResult{0, result.instructions,
                                       result.loaded_args};
            a /= src;
            break;
          case BPF_MOD:
            if (src == 0)
              return InterpreterResult{0, result.instructions,
                                       result.loaded_args};
            a %= src;
            break;
          case BPF_OR:
            a |= src;
            break;
          case BPF_AND:
            a &= src;
            break;
          case BPF_XOR:
            a ^= src;
            break;
          case BPF_LSH:
            a = src >= 32 ? 0 : a << src;
            break;
          case BPF_RSH:
            a = src >= 32 ? 0 : a >> src;
            break;
          case BPF_NEG:
            a = -a;
            break;
          default:
            return absl::InvalidArgumentError("bad alu op");
        }
        break;
      case BPF_JMP: {
        if (BPF_OP(in.code) == BPF_JA) {
          pc += in.k;
          break;
        }
        bool taken;
        switch (BPF_OP(in.code)) {
          case BPF_JEQ:
            taken = a == src;
            break;
          case BPF_JGT:
            taken = a > src;
            break;
          case BPF_JGE:
            taken = a >= src;
            break;
          case BPF_JSET:
            taken = (a & src) != 0;
            break;
          default:
            return absl::InvalidArgumentError("bad jump");
        }
        pc += taken ? in.jt : in.jf;
        break;
      }
      case BPF_RET:
        result.ret = BPF_RVAL(in.code) == BPF_A ? a : in.k;
        return result;
      case BPF_MISC:
        if (BPF_MISCOP(in.code) == BPF_TAX)
          x = a;
        else
          a = x;
        break;
    }
  }
  return absl::InvalidArgumentError("fell off the end of the program");
}

}  // namespace sysgate
