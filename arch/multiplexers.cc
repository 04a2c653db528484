#include "arch/multiplexers.h"

namespace sysgate {
namespace {

// socketcall's `int call` is compared whole; ipc keeps its version above
// the low 16 bits (ipc/syscall.c: `version = call >> 16; call &= 0xffff`).
constexpr uint32_t kWhole = 0xffffffffu;
constexpr uint32_t kIpcCall = 0xffffu;

constexpr MultiplexedRoute kRoutes[] = {
    {"socket", "socketcall", 1, kWhole},
    {"bind", "socketcall", 2, kWhole},
    {"connect", "socketcall", 3, kWhole},
    {"listen", "socketcall", 4, kWhole},
    {"accept", "socketcall", 5, kWhole},
    {"getsockname", "socketcall", 6, kWhole},
    {"getpeername", "socketcall", 7, kWhole},
    {"socketpair", "socketcall", 8, kWhole},
    {"sendto", "socketcall", 9, kWhole},     // SYS_SEND
    {"recvfrom", "socketcall", 10, kWhole},  // SYS_RECV
    {"sendto", "socketcall", 11, kWhole},
    {"recvfrom", "socketcall", 12, kWhole},
    {"shutdown", "socketcall", 13, kWhole},
    {"setsockopt", "socketcall", 14, kWhole},
    {"getsockopt", "socketcall", 15, kWhole},
    {"sendmsg", "socketcall", 16, kWhole},
    {"recvmsg", "socketcall", 17, kWhole},
    {"accept4", "socketcall", 18, kWhole},
    {"recvmmsg", "socketcall", 19, kWhole},
    {"sendmmsg", "socketcall", 20, kWhole},
    {"semop", "ipc", 1, kIpcCall},
    {"semget", "ipc", 2, kIpcCall},
    {"semctl", "ipc", 3, kIpcCall},
    {"semtimedop", "ipc", 4, kIpcCall},
    {"msgsnd", "ipc", 11, kIpcCall},
    {"msgrcv", "ipc", 12, kIpcCall},
    {"msgget", "ipc", 13, kIpcCall},
    {"msgctl", "ipc", 14, kIpcCall},
    {"shmat", "ipc", 21, kIpcCall},
    {"shmdt", "ipc", 22, kIpcCall},
    {"shmget", "ipc", 23, kIpcCall},
    {"shmctl", "ipc", 24, kIpcCall},
};

}  // namespace

absl::Span<const MultiplexedRoute> MultiplexedRoutes() { return kRoutes; }

}  // namespace sysgate
