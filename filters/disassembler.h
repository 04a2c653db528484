// BPF program -> readable listing, one instruction a line, with jump
// targets as absolute line numbers and seccomp_data fields and return
// actions named (the style of libseccomp's scmp_bpf_disasm).
#ifndef SYSGATE_FILTERS_DISASSEMBLER_H_
#define SYSGATE_FILTERS_DISASSEMBLER_H_

#include <cstdint>
#include <string>

#include "filters/bpf.h"

namespace sysgate {

std::string Disassemble(const BpfProgram& program);
std::string DescribeReturn(uint32_t ret);  // "ERRNO(1)", "TRACE(0x3)", ...

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_DISASSEMBLER_H_
