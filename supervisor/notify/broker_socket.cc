// The socket calls that may name a file, performed by sysgate on the
// program's own socket (fetched with pidfd_getfd: the very open file) with
// the address and data it read once. Whatever the family: the kernel takes
// the family from the socket, so a second thread that swaps the address's
// bytes, or dup2()s an AF_UNIX socket over the descriptor, changes nothing
// sysgate checked. An AF_UNIX path is resolved as the caller and reached
// by the descriptor sysgate holds (/proc/self/fd/N), or, for bind, made in
// the directory it holds.
//
// The calls run with sysgate's credentials: a peer's SO_PEERCRED and
// SCM_CREDENTIALS name sysgate's pid (the same user), as for every call the
// broker performs.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "arch/process.h"
#include "arch/procfs.h"
#include "arch/tracee_memory.h"
#include "supervisor/notify/broker.h"

namespace sysgate {
namespace {

using Mode = BrokerRule::Mode;

int SocketOption(int fd, int option) {
  int value = 0;
  socklen_t len = sizeof(value);
  if (getsockopt(fd, SOL_SOCKET, option, &value, &len) != 0) return -errno;
  return value;
}

bool IsBlocking(int fd) { return !(fcntl(fd, F_GETFL) & O_NONBLOCK); }

// When a blocking connect on `fd` started now times out (SO_SNDTIMEO,
// which connect uses: sock_sndtimeo); none for no timeout.
absl::optional<absl::Time> SendTimeoutDeadline(int fd) {
  struct timeval timeout = {};
  socklen_t len = sizeof(timeout);
  if (getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, &len) != 0 ||
      (timeout.tv_sec == 0 && timeout.tv_usec == 0))
    return absl::nullopt;
  return absl::Now() + absl::DurationFromTimeval(timeout);
}

// For a call that finishes on the server's thread: its caller waits.
const PendingWait& NeverAbandoned() {
  struct Waits : PendingWait {
    bool Gone() const override { return false; }
    int StopError() const override { return 0; }
  };
  static const Waits waits;
  return waits;
}

// An address that reaches the socket file sysgate holds open (O_PATH):
// the kernel's unix_find_bsd follows /proc/self/fd/N to that very inode,
// and checks write permission on it as on any path.
std::string AddressOfHeld(int fd) {
  struct sockaddr_un sun;
  std::memset(&sun, 0, sizeof(sun));
  sun.sun_family = AF_UNIX;
  std::string path = absl::StrCat("/proc/self/fd/", fd);
  std::memcpy(sun.sun_path, path.data(), path.size());
  return std::string(reinterpret_cast<const char*>(&sun),
                     offsetof(struct sockaddr_un, sun_path) + path.size() + 1);
}

bool IsAbstract(const std::string& address) {
  constexpr size_t kHeader = offsetof(struct sockaddr_un, sun_path);
  sa_family_t family = 0;
  if (address.size() <= kHeader) return false;
  std::memcpy(&family, address.data(), sizeof(family));
  return family == AF_UNIX && address[kHeader] == '\0';
}

// A message as sysgate sends it: the call's own (shared with a wait on a
// thread of its own), to `name`.
struct Outgoing {
  std::string name;
  std::shared_ptr<const SocketMessage> message;
  std::shared_ptr<ScopedFd> held;  // The socket file `name` reaches.
};

// Message `out` from byte `offset` on, without waiting; its control
// messages go with its first byte only (once sent, they are).
int64_t SendOne(int fd, const Outgoing& out, size_t offset, int flags) {
  struct iovec iov = {const_cast<char*>(out.message->data.data()) + offset,
                      out.message->data.size() - offset};
  struct msghdr msg;
  std::memset(&msg, 0, sizeof(msg));
  if (!out.name.empty()) {
    msg.msg_name = const_cast<char*>(out.name.data());
    msg.msg_namelen = static_cast<socklen_t>(out.name.size());
  }
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (offset == 0 && !out.message->control.empty()) {
    msg.msg_control = const_cast<char*>(out.message->control.data());
    msg.msg_controllen = out.message->control.size();
  }
  ssize_t n = sendmsg(fd, &msg, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
  return n >= 0 ? n : -errno;
}

// Until the socket may take more, or a while: POLLOUT says so for a stream
// or connected datagram socket, but an unconnected one sending to a full
// peer shows POLLOUT and still refuses, so a wait that ends at once is
// followed by a sleep, twice as long each time (up to 64 ms): many such
// waits must not keep a CPU busy.
void AwaitRoom(int fd, int& naps) {
  struct pollfd out = {fd, POLLOUT, 0};
  if (poll(&out, 1, 50) <= 0) return;
  usleep(1000u << std::min(naps, 6));
  ++naps;
}

// The messages a send call sends, and how: its flags, whether the caller
// waits, where sendmmsg's lengths go.
struct Sending {
  std::shared_ptr<ScopedFd> socket;
  std::vector<Outgoing> messages;
  int flags = 0;
  bool waits = false;
  bool stream = false;
  pid_t tid = 0;
  const Abi* abi = nullptr;
  uint64_t lengths = 0;  // sendmmsg's array; 0 for the others.
};

// Sends message `i` from `offset` on. With `wait` (on a thread of its
// own), as a blocking send does: until all of a stream's data is sent,
// waiting for room, until the caller abandons the call. The bytes of it
// sent in all, or -errno if none was (StopError(): abandoned).
int64_t SendMessage(const Sending& s, size_t i, size_t offset,
                    const PendingWait* wait) {
  const Outgoing& m = s.messages[i];
  size_t size = m.message->data.size();
  size_t sent = offset;
  int naps = 0;
  while (true) {
    int64_t n = SendOne(s.socket->get(), m, sent, s.flags);
    if (n >= 0) {
      naps = 0;
      sent += static_cast<size_t>(n);
      if (wait == nullptr || !s.stream || sent >= size)
        return static_cast<int64_t>(sent);
      continue;
    }
    if (n != -EAGAIN || wait == nullptr)
      return sent > 0 ? static_cast<int64_t>(sent) : n;
    if (int stop = wait->StopError())
      return sent > 0 ? static_cast<int64_t>(sent) : -stop;
    AwaitRoom(s.socket->get(), naps);
  }
}

// A send's result as the caller gets it; a broken pipe's SIGPIPE goes to
// the caller, as the kernel sends it to the sender, unless the caller is
// gone (its tid may be another's by now).
BrokerResult Finished(const Sending& s, int64_t n, const PendingWait* wait) {
  if (n == -EPIPE && !(s.flags & MSG_NOSIGNAL) &&
      (wait == nullptr || !wait->Gone()))
    (void)QueueSignal(ThreadGroupOf(s.tid), s.tid, SIGPIPE);
  if (n < 0) return Answered(Answer::Error(static_cast<int>(-n)));
  return Answered(Answer::Value(n));
}

// sendto, sendmsg: without waiting; what would wait (nothing sent, or a
// stream's short send) finishes on a thread of its own.
BrokerResult SendSingle(std::shared_ptr<Sending> s) {
  int64_t n = SendMessage(*s, 0, 0, nullptr);
  size_t size = s->messages[0].message->data.size();
  bool short_send = s->stream && n >= 0 && static_cast<size_t>(n) < size;
  if (s->waits && (n == -EAGAIN || short_send)) {
    size_t offset = n > 0 ? static_cast<size_t>(n) : 0;
    return PendingResult([s, offset](const PendingWait& wait) {
      return Finished(*s, SendMessage(*s, 0, offset, &wait), &wait);
    });
  }
  return Finished(*s, n, nullptr);
}

// Where a sendmmsg that would wait goes on: message `at`, from `offset`.
struct Resume {
  size_t at = 0;
  size_t offset = 0;
};

// sendmmsg from message `at` (from `offset`): each msg_len written back as
// its message is sent; the count sent, or the first one's error. Without
// `wait`, `resume` is set where the caller would wait: nothing of the
// first message sent, or a stream's message sent in part (a blocking
// stream send completes a message before the next begins).
BrokerResult SendVector(const Sending& s, Resume from, const PendingWait* wait,
                        absl::optional<Resume>* resume) {
  size_t i = from.at;
  size_t offset = from.offset;
  int64_t n = 0;
  for (; i < s.messages.size(); ++i, offset = 0) {
    if (wait != nullptr && wait->Gone()) break;
    n = SendMessage(s, i, offset, wait);
    if (n < 0) {
      if (resume != nullptr && n == -EAGAIN && i == 0) *resume = Resume{0, 0};
      break;
    }
    size_t size = s.messages[i].message->data.size();
    if (resume != nullptr && s.stream && static_cast<size_t>(n) < size) {
      *resume = Resume{i, static_cast<size_t>(n)};
      return Answered(Answer::Value(0));  // Replaced by the wait's.
    }
    uint32_t len = static_cast<uint32_t>(n);
    if (wait == nullptr || !wait->Gone()) {
      (void)WriteTraceeMemory(s.tid, MessageLengthAddress(*s.abi, s.lengths, i),
                              &len, sizeof(len));
    }
  }
  if (i == 0 && n < 0) return Finished(s, n, wait);
  return Answered(Answer::Value(static_cast<int64_t>(i)));
}

BrokerResult Send(std::shared_ptr<Sending> s) {
  if (s->lengths == 0) return SendSingle(std::move(s));
  absl::optional<Resume> resume;
  BrokerResult result =
      SendVector(*s, Resume{}, nullptr, s->waits ? &resume : nullptr);
  if (!resume) return result;
  Resume from = *resume;
  return PendingResult([s, from](const PendingWait& wait) {
    return SendVector(*s, from, &wait, nullptr);
  });
}

// The kernel's unix_validate_addr: a path or abstract name within
// sockaddr_un, of family AF_UNIX (EINVAL).
bool ValidUnixAddress(const std::string& address) {
  constexpr size_t kHeader = offsetof(struct sockaddr_un, sun_path);
  sa_family_t family = 0;
  if (address.size() <= kHeader || address.size() > sizeof(sockaddr_un))
    return false;
  std::memcpy(&family, address.data(), sizeof(family));
  return family == AF_UNIX;
}

bool IsUnspecified(const std::string& address) {
  sa_family_t family = AF_UNIX;
  if (address.size() >= sizeof(family))
    std::memcpy(&family, address.data(), sizeof(family));
  return family == AF_UNSPEC;
}

}  // namespace

absl::optional<BrokerResult> Broker::UnixPeer(const BrokerRequest& req,
                                              std::string& address,
                                              ScopedFd& held) const {
  // No name (a send on a connected socket), or AF_UNSPEC (a datagram
  // socket's disconnect; a send's EINVAL): the kernel's to answer.
  if (address.empty() || IsUnspecified(address)) return absl::nullopt;
  if (!ValidUnixAddress(address)) return Outcome(EINVAL);
  if (IsAbstract(address) && abstract_scoped_) {
    ResolvedPath r;
    r.path = absl::StrCat(
        "@", address.substr(offsetof(struct sockaddr_un, sun_path) + 1));
    return Refuse(r, EPERM,
                  "an abstract socket outside the program's Landlock domain");
  }
  std::string path = UnixPathOf(address);
  if (path.empty()) return absl::nullopt;
  ResolvedPath r = ResolvePath(OwnerOf(req), AT_FDCWD, path,
                               /*follow_last=*/true, Needs::kObject);
  if (r.error || r.object.get() < 0) return LookupFailed(r);
  if (!Granted(r, Mode::kWrite)) return Deny(r);
  address = AddressOfHeld(r.object.get());
  held = std::move(r.object);
  return absl::nullopt;
}

BrokerResult Broker::Bind(const BrokerRequest& req) const {
  int fd = req.through.get();
  int domain = SocketOption(fd, SO_DOMAIN);
  if (domain < 0) return Outcome(-domain);
  // Other families, abstract names (their Landlock scope is the socket's
  // creator's, the program's) and autobinding name no file.
  std::string path = domain == AF_UNIX ? UnixPathOf(req.address) : "";
  if (path.empty()) {
    return Outcome(
        ErrnoOf(bind(fd, reinterpret_cast<const sockaddr*>(req.address.data()),
                     static_cast<socklen_t>(req.address.size()))));
  }
  if (!ValidUnixAddress(req.address)) return Outcome(EINVAL);
  // A new name in the directory sysgate resolved: bound from there (this
  // thread's own cwd, CLONE_FS), with the caller's umask, as mknod.
  ResolvedPath r = ResolveName(OwnerOf(req), AT_FDCWD, path);
  if (auto refused = RefuseChange(r)) return std::move(*refused);
  if (r.last.size() >= sizeof(sockaddr_un::sun_path)) return Outcome(EINVAL);
  struct sockaddr_un sun;
  std::memset(&sun, 0, sizeof(sun));
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, r.last.data(), r.last.size());
  if (fchdir(r.dir.get()) != 0) return Outcome(errno);
  int error;
  {
    CallerUmask umask(req.tid());
    error =
        ErrnoOf(bind(fd, reinterpret_cast<const sockaddr*>(&sun), sizeof(sun)));
  }
  (void)!chdir("/");  // Holds no directory of the program's.
  return Outcome(error);
}

BrokerResult Broker::Connect(const BrokerRequest& req) const {
  auto socket = std::make_shared<ScopedFd>(dup(req.through.get()));
  int fd = socket->get();
  int domain = SocketOption(fd, SO_DOMAIN);
  if (domain < 0) return Outcome(-domain);
  std::string address = req.address;
  auto held = std::make_shared<ScopedFd>();
  if (domain == AF_UNIX) {
    if (auto refused = UnixPeer(req, address, *held))
      return std::move(*refused);
  }
  // The connect itself waits in the kernel, which only its peer ends, its
  // SO_SNDTIMEO, or a signal: a periodic wake-up (pending_opens.h), after
  // which it waits again for a caller still waiting (TCP's handshake goes
  // on meanwhile: a second connect waits for the same one, or returns its
  // result), and the caller's EINTR otherwise. Each connect starts the
  // timeout afresh, so the deadline is kept here, to within a wake-up.
  auto connect_to = [socket, address, held](const PendingWait& wait) {
    absl::optional<absl::Time> deadline = SendTimeoutDeadline(socket->get());
    while (true) {
      int error = ErrnoOf(connect(
          socket->get(), reinterpret_cast<const sockaddr*>(address.data()),
          static_cast<socklen_t>(address.size())));
      if (error != EINTR) return Outcome(error);
      if (int stop = wait.StopError()) return Outcome(stop);
      // net/unix/af_unix.c: EAGAIN; net/ipv4/af_inet.c: EINPROGRESS.
      if (deadline && absl::Now() >= *deadline)
        return Outcome(SocketOption(socket->get(), SO_DOMAIN) == AF_UNIX
                           ? EAGAIN
                           : EINPROGRESS);
    }
  };
  // A stream socket may wait for its peer (TCP's handshake, a full AF_UNIX
  // backlog): on a thread of its own, whatever its O_NONBLOCK says now,
  // which the program may change before the connect reads it.
  if (SocketOption(fd, SO_TYPE) != SOCK_DGRAM) return PendingResult(connect_to);
  return connect_to(NeverAbandoned());
}

BrokerResult Broker::SendTo(const BrokerRequest& req) const {
  // Without an address (send), the kernel reads none: it runs the call.
  // Not through socketcall, whose arguments it would read again from
  // memory, where the address may be one by then.
  if (req.Arg(req.call->sockaddr) == 0 && !req.via_socketcall)
    return Answered(Answer::Continue());
  return SendMessages(req);
}

BrokerResult Broker::SendMessages(const BrokerRequest& req) const {
  auto s = std::make_shared<Sending>();
  s->socket = std::make_shared<ScopedFd>(dup(req.through.get()));
  int fd = s->socket->get();
  int domain = SocketOption(fd, SO_DOMAIN);
  if (domain < 0) return Outcome(-domain);
  int type = SocketOption(fd, SO_TYPE);
  s->stream = type == SOCK_STREAM;
  s->flags = static_cast<int>(req.flags);
  // A zerocopy send's pages would be sysgate's copy, freed before the
  // completion the program waits for: ENOBUFS, as when the kernel cannot
  // pin them, after which a program sends without it.
  if ((s->flags & MSG_ZEROCOPY) && SocketOption(fd, SO_ZEROCOPY) > 0)
    return Outcome(ENOBUFS);
  s->waits = !(req.flags & MSG_DONTWAIT) && IsBlocking(fd);
  s->tid = req.tid();
  s->abi = &req.abi();
  if (req.call->message_count != kNoArg)
    s->lengths = req.Arg(req.call->messages);
  for (const SocketMessage& m : *req.messages) {
    if (m.data_cut && !s->stream) return Outcome(EMSGSIZE);
    Outgoing out;
    out.name = req.call->op == BrokerOp::kSendTo ? req.address : m.name;
    out.held = std::make_shared<ScopedFd>();
    // Only a datagram socket sends to a name (a stream socket refuses one,
    // a seqpacket socket ignores it: net/unix/af_unix.c).
    if (domain == AF_UNIX && type == SOCK_DGRAM) {
      if (auto refused = UnixPeer(req, out.name, *out.held))
        return std::move(*refused);
    }
    out.message = std::shared_ptr<const SocketMessage>(req.messages, &m);
    s->messages.push_back(std::move(out));
  }
  if (s->messages.empty()) return Outcome(0);  // sendmmsg of none.
  return Send(std::move(s));
}

}  // namespace sysgate
