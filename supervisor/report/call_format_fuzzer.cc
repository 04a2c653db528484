// Fuzz target: the argument decoder on random tracee memory. The input
// picks an ABI, a call and its arguments; pointer arguments point into a
// page of this process (the "tracee": FormatCall reads it with
// process_vm_readv like any other) filled with the input's bytes and
// followed by an unmapped page, so strings run into a fault as well as
// into NULs. Formatting never crashes and always names the call.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "arch/abi.h"
#include "arch/syscall_stop.h"
#include "supervisor/report/call_format.h"

namespace {

// Two pages: the first holds memory contents, the second is inaccessible.
char* MemoryPages() {
  static char* pages = [] {
    long page = sysconf(_SC_PAGESIZE);
    void* p = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) abort();
    mprotect(static_cast<char*>(p) + page, page, PROT_NONE);
    return static_cast<char*>(p);
  }();
  return pages;
}

struct Input {
  const uint8_t* data;
  size_t size;
  size_t at = 0;
  uint64_t Take(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | (at < size ? data[at++] : 0);
    return v;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sysgate;
  long page = sysconf(_SC_PAGESIZE);
  char* memory = MemoryPages();
  Input in{data, size};
  SyscallStop stop;
  stop.tid = getpid();
  absl::Span<const AbiId> abis = AllAbis();
  stop.abi = abis[in.Take(1) % abis.size()];
  stop.nr = static_cast<int>(in.Take(2) % 600);
  for (uint64_t& arg : stop.args) {
    uint64_t raw = in.Take(8);
    // Mostly pointers into (or just before the end of) the memory page.
    arg = raw % 4 == 0 ? raw : reinterpret_cast<uint64_t>(memory) + raw % page;
  }
  size_t rest = in.at < size ? size - in.at : 0;
  memset(memory, 0, page);
  memcpy(memory, data + in.at, rest < static_cast<size_t>(page) ? rest : page);
  std::string text = FormatCall(stop);
  std::string name = GetAbi(stop.abi).Name(stop.nr);
  if (!absl::StartsWith(text, name + "(")) abort();
  return 0;
}
