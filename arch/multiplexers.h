// i386 reaches some calls two ways: by their own numbers (Linux 4.3 for
// the socket calls, 5.1 for SysV IPC) and through a multiplexer whose
// first argument names the call: socketcall (net/socket.c, the call's
// arguments in a block in memory) and ipc (ipc/syscall.c ksys_ipc: the
// call in the low 16 bits, a version in the upper ones, the arguments
// shuffled into its registers). A rule on one route must cover the other.
#ifndef SYSGATE_ARCH_MULTIPLEXERS_H_
#define SYSGATE_ARCH_MULTIPLEXERS_H_

#include <cstdint>

#include "absl/types/span.h"

namespace sysgate {

struct MultiplexedRoute {
  const char* call;         // The direct call's name ("socket").
  const char* multiplexer;  // "socketcall" or "ipc" (i386 only).
  uint32_t code;            // The multiplexer's first argument (SYS_SOCKET).
  uint32_t code_mask;       // The bits of that argument that name the call.
};

// Every route, in the multiplexers' numbering (linux/net.h SYS_*,
// linux/ipc.h). `send` and `recv` exist only as socketcall codes: they are
// sendto and recvfrom without an address, and so are routes of those.
absl::Span<const MultiplexedRoute> MultiplexedRoutes();

}  // namespace sysgate

#endif  // SYSGATE_ARCH_MULTIPLEXERS_H_
