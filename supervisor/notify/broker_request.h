// One brokered call as the broker serves it: its row of the table
// (brokered_calls.h), who made it, and its operands, read once from the
// caller's memory where the row says they are. Everything after works on
// this copy, so nothing the program does to its memory afterwards can
// change what the broker checks or does.
#ifndef SYSGATE_SUPERVISOR_NOTIFY_BROKER_REQUEST_H_
#define SYSGATE_SUPERVISOR_NOTIFY_BROKER_REQUEST_H_

#include <sys/types.h>
#include <time.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arch/abi.h"
#include "arch/syscall_stop.h"
#include "supervisor/engine/brokered_calls.h"
#include "supervisor/notify/path_resolver.h"
#include "supervisor/notify/socket_message.h"

namespace sysgate {

inline constexpr size_t kMaxPath = 4096;  // PATH_MAX.

struct BrokerRequest {
  const BrokeredCall* call = nullptr;
  SyscallStop stop;  // The call as made; stop.tid is the caller.
  // The row's paths, in order; for a socket address, its AF_UNIX path
  // (empty for other families and abstract names).
  std::array<std::string, 2> paths;
  uint64_t flags = 0;      // The flags argument, with what the call implies.
  uint64_t mode = 0;       // The mode argument.
  uint64_t resolve = 0;    // openat2's RESOLVE_* (its flags and mode, too,
                           // come from its struct open_how).
  bool null_path = false;  // utimensat(fd, NULL, ...), statx(fd, NULL,
                           // AT_EMPTY_PATH...): the descriptor's own.
  std::string text;        // The row's text operand (symlink's target).
  // An xattr call's value, from its arguments or its struct xattr_args:
  // where it is (getxattr: where it goes), its size, setxattr's flags, and
  // the bytes a set sets, read once.
  struct XattrValue {
    uint64_t address = 0;
    uint64_t size = 0;
    uint32_t flags = 0;  // An int to the kernel.
    std::string bytes;
  } xattr;
  uint32_t uid = 0, gid = 0;  // chown's, widened ((uid_t)-1: unchanged).
  int64_t length = 0;         // truncate's.
  // The times a utime-like call sets, as utimensat(2) takes them
  // (UTIME_NOW and UTIME_OMIT kept); null when the call passed none (now).
  bool has_times = false;
  std::array<struct timespec, 2> times = {};
  // The program's descriptor the call works through (a socket, an inotify
  // instance), fetched from it; -1 for rows without one.
  ScopedFd through;
  std::string address;  // A sockaddr's bytes, as read (empty: none).
  // What a send sends: one message for sendto, each of sendmsg's or
  // sendmmsg's.
  std::shared_ptr<std::vector<SocketMessage>> messages =
      std::make_shared<std::vector<SocketMessage>>();
  bool via_socketcall = false;  // i386's multiplexer made the call.

  pid_t tid() const { return stop.tid; }
  const Abi& abi() const { return GetAbi(stop.abi); }
  uint64_t Arg(int8_t index) const {
    return index == kNoArg ? 0 : stop.args[index];
  }
  // The directory fd path `i` is relative to (AT_FDCWD without one).
  int Dirfd(int i) const;
};

// A request for `call` (its row, `stop` as the caller made it, its
// arguments cut to the ABI's word); the operands are not read yet.
BrokerRequest MakeRequest(const BrokeredCall& call, const SyscallStop& stop);

// Reads the operands from the caller's memory, and fetches the descriptor
// the call works through. 0, or the errno the call fails with (EFAULT,
// ENAMETOOLONG, EBADF, EINVAL for a bad socket address, open_how size or
// timeval; socket_message.h for the messages). socketcall's request
// becomes its sub-call's, with the arguments it read.
int ReadOperands(BrokerRequest& request);

// The socketcall sub-calls the broker serves (net/socket.c's SYS_BIND...):
// the call's row, or null for one that names no file.
const BrokeredCall* SocketSubCall(uint64_t call);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_BROKER_REQUEST_H_
