// The messages of a sendmsg or sendmmsg, read once from the caller's
// memory in its ABI's layout (struct msghdr or compat_msghdr, their iovecs
// and control messages) into what sysgate then sends itself: the name as
// given, the data gathered, the control messages in sysgate's own layout
// with every SCM_RIGHTS descriptor fetched from the caller. Nothing the
// program does to its memory afterwards changes what is sent, or where.
#ifndef SYSGATE_SUPERVISOR_NOTIFY_SOCKET_MESSAGE_H_
#define SYSGATE_SUPERVISOR_NOTIFY_SOCKET_MESSAGE_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arch/abi.h"
#include "supervisor/notify/path_resolver.h"

namespace sysgate {

// At most this much data is read for one call, over all its messages (a
// stream socket then sends a prefix, as a short send may; a larger
// datagram fails EMSGSIZE; sendmmsg sends the messages before the one that
// would pass it), and at most kMaxRights descriptors per call (the
// kernel's SCM_MAX_FD per message; sendmmsg again stops before a message
// that would pass it).
inline constexpr size_t kMaxSendData = size_t{4} << 20;
inline constexpr size_t kMaxRights = 253;

struct SocketMessage {
  std::string name;       // The address, as read (empty: none).
  std::string data;       // Every iovec's bytes, in order.
  bool data_cut = false;  // More than kMaxSendData was asked for.
  std::string control;    // Native cmsgs; SCM_RIGHTS holds sysgate's fds.
  // Those descriptors, shared by the copies a send that waits keeps.
  std::shared_ptr<std::vector<ScopedFd>> fds =
      std::make_shared<std::vector<ScopedFd>>();
};

// The raw address of a sockaddr argument: EINVAL past sockaddr_storage,
// as the kernel's move_addr_to_kernel; empty for length 0.
int ReadSocketAddress(pid_t tid, uint64_t addr, uint64_t len, std::string& out);

// The AF_UNIX path an address names: empty for other families, abstract
// and unnamed addresses (the kernel's unix_mkname_bsd: sun_path up to its
// NUL or the address's end).
std::string UnixPathOf(const std::string& address);

// The data of one buffer (sendto), at most `room` bytes of it: EFAULT if
// unreadable.
int ReadSendData(pid_t tid, uint64_t addr, uint64_t len, size_t room,
                 SocketMessage& out);

// `count` messages at `addr`: one struct msghdr (sendmsg, count 1 and
// `vector` false) or an array of struct mmsghdr. 0 or the errno the call
// fails with (EFAULT, EMSGSIZE for too many iovecs, EINVAL, ENOBUFS for
// an oversized control buffer, EBADF for an SCM_RIGHTS descriptor the
// caller does not hold). Past the call's budgets (kMaxSendData,
// kMaxRights), sendmmsg's list ends before the message that passes them.
int ReadSocketMessages(pid_t tid, const Abi& abi, uint64_t addr, uint32_t count,
                       bool vector, std::vector<SocketMessage>& out);

// Where sendmmsg's msg_len of message `i` goes.
uint64_t MessageLengthAddress(const Abi& abi, uint64_t addr, uint32_t i);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_SOCKET_MESSAGE_H_
