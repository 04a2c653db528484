#include "supervisor/notify/socket_message.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "arch/file_calls.h"
#include "arch/procfs.h"
#include "arch/tracee_memory.h"

namespace sysgate {
namespace {

constexpr size_t kMaxIovecs = 1024;         // UIO_MAXIOV.
constexpr size_t kMaxControl = 128 * 1024;  // sysctl_optmem_max's default.

// The caller's words: 4 bytes on i386 (compat_msghdr, compat_iovec,
// compat_cmsghdr: net/compat.c), 8 on x86-64 and arm64.
class Layout {
 public:
  explicit Layout(const Abi& abi) : word_(abi.word_bits() / 8) {}
  size_t word() const { return word_; }
  size_t msghdr() const { return 7 * word_; }  // Its last int padded.
  size_t mmsghdr() const { return msghdr() + word_; }
  size_t iovec() const { return 2 * word_; }
  // An iov_len the kernel refuses (EINVAL): negative as its ssize_t.
  bool Negative(uint64_t len) const {
    return word_ == 4 ? static_cast<int32_t>(len) < 0
                      : static_cast<int64_t>(len) < 0;
  }
  size_t cmsghdr() const { return word_ + 8; }
  size_t Align(size_t n) const { return (n + word_ - 1) & ~(word_ - 1); }
  uint64_t Word(const unsigned char* at) const { return WordAt(at, word_); }

 private:
  size_t word_;
};

int32_t Int(const unsigned char* at) {
  int32_t v;
  std::memcpy(&v, at, 4);
  return v;
}

// The iovecs' data, at most `room` bytes of it.
int ReadData(pid_t tid, const Layout& l, uint64_t iov, uint64_t iovlen,
             size_t room, SocketMessage& out) {
  if (iovlen > kMaxIovecs) return EMSGSIZE;
  std::string vecs(iovlen * l.iovec(), '\0');
  if (iovlen != 0 && !ReadTraceeMemory(tid, iov, &vecs[0], vecs.size()).ok())
    return EFAULT;
  auto at = [&](size_t i) {
    return reinterpret_cast<const unsigned char*>(&vecs[i * l.iovec()]);
  };
  for (size_t i = 0; i < iovlen; ++i) {
    if (l.Negative(l.Word(at(i) + l.word()))) return EINVAL;
  }
  for (size_t i = 0; i < iovlen && !out.data_cut; ++i) {
    if (int error = ReadSendData(tid, l.Word(at(i)), l.Word(at(i) + l.word()),
                                 room - out.data.size(), out))
      return error;
  }
  return 0;
}

// One control message's payload, in sysgate's layout, its descriptors
// fetched from the caller and its credentials' pid, if the caller's own,
// made sysgate's (the sender the kernel checks them against, and sees).
int AddControl(pid_t tid, int level, int type, std::string payload,
               SocketMessage& out) {
  if (level == SOL_SOCKET && type == SCM_RIGHTS) {
    size_t n = payload.size() / sizeof(int);
    if (n == 0 || out.fds->size() + n > kMaxRights) return EINVAL;
    for (size_t i = 0; i < n; ++i) {
      int theirs;
      std::memcpy(&theirs, &payload[i * sizeof(int)], sizeof(int));
      int ours = FetchDescriptor(tid, theirs);
      if (ours < 0) return -ours == ESRCH ? ESRCH : EBADF;
      out.fds->emplace_back(ours);
      std::memcpy(&payload[i * sizeof(int)], &ours, sizeof(int));
    }
  } else if (level == SOL_SOCKET && type == SCM_CREDENTIALS &&
             payload.size() >= sizeof(struct ucred)) {
    struct ucred cred;
    std::memcpy(&cred, payload.data(), sizeof(cred));
    if (cred.pid == ThreadGroupOf(tid)) cred.pid = getpid();
    std::memcpy(&payload[0], &cred, sizeof(cred));
  }
  size_t at = out.control.size();
  out.control.resize(at + CMSG_SPACE(payload.size()), '\0');
  struct cmsghdr header;
  std::memset(&header, 0, sizeof(header));
  header.cmsg_len = CMSG_LEN(payload.size());
  header.cmsg_level = level;
  header.cmsg_type = type;
  std::memcpy(&out.control[at], &header, sizeof(header));
  std::memcpy(&out.control[at] + CMSG_LEN(0), payload.data(), payload.size());
  return 0;
}

// The control messages, walked as the kernel's __scm_send and
// cmsghdr_from_user_compat_to_kern walk them: each length at least its
// header and within the buffer (else EINVAL).
int ReadControl(pid_t tid, const Layout& l, uint64_t control, uint64_t len,
                SocketMessage& out) {
  if (len == 0) return 0;
  if (len > kMaxControl) return ENOBUFS;
  std::string raw(len, '\0');
  if (!ReadTraceeMemory(tid, control, &raw[0], len).ok()) return EFAULT;
  const auto* base = reinterpret_cast<const unsigned char*>(raw.data());
  size_t at = 0;
  while (at + l.cmsghdr() <= len) {
    uint64_t cmsg_len = l.Word(base + at);
    if (cmsg_len < l.cmsghdr() || cmsg_len > len - at) return EINVAL;
    int level = Int(base + at + l.word());
    int type = Int(base + at + l.word() + 4);
    std::string payload(raw, at + l.cmsghdr(), cmsg_len - l.cmsghdr());
    if (int error = AddControl(tid, level, type, std::move(payload), out))
      return error;
    at += l.Align(cmsg_len);
  }
  // A compat control buffer holding no message is a bogon, EINVAL
  // (net/compat.c, cmsghdr_from_user_compat_to_kern); a native one is none.
  if (l.word() == 4 && out.control.empty()) return EINVAL;
  return 0;
}

int ReadMessage(pid_t tid, const Layout& l, uint64_t addr, size_t room,
                SocketMessage& out) {
  unsigned char hdr[56];
  if (!ReadTraceeMemory(tid, addr, hdr, l.msghdr()).ok()) return EFAULT;
  uint64_t name = l.Word(hdr);
  int32_t namelen = Int(hdr + l.word());
  if (namelen < 0) return EINVAL;
  // The kernel clamps a longer name to sockaddr_storage (__copy_msghdr).
  uint64_t len =
      name == 0 ? 0
                : std::min<uint64_t>(namelen, sizeof(struct sockaddr_storage));
  if (int error = ReadSocketAddress(tid, name, len, out.name)) return error;
  if (int error = ReadData(tid, l, l.Word(hdr + 2 * l.word()),
                           l.Word(hdr + 3 * l.word()), room, out))
    return error;
  return ReadControl(tid, l, l.Word(hdr + 4 * l.word()),
                     l.Word(hdr + 5 * l.word()), out);
}

}  // namespace

int ReadSocketAddress(pid_t tid, uint64_t addr, uint64_t len,
                      std::string& out) {
  out.clear();
  if (len > sizeof(struct sockaddr_storage)) return EINVAL;
  if (len == 0) return 0;
  out.resize(len);
  if (!ReadTraceeMemory(tid, addr, &out[0], len).ok()) return EFAULT;
  return 0;
}

std::string UnixPathOf(const std::string& address) {
  constexpr size_t kHeader = offsetof(struct sockaddr_un, sun_path);
  sa_family_t family = 0;
  if (address.size() < sizeof(family)) return "";
  std::memcpy(&family, address.data(), sizeof(family));
  if (family != AF_UNIX || address.size() <= kHeader ||
      address[kHeader] == '\0')
    return "";
  size_t max = std::min(address.size(), sizeof(struct sockaddr_un)) - kHeader;
  return std::string(&address[kHeader], strnlen(&address[kHeader], max));
}

int ReadSendData(pid_t tid, uint64_t addr, uint64_t len, size_t room,
                 SocketMessage& out) {
  if (len > room) {
    out.data_cut = true;
    len = room;
  }
  if (len == 0) return 0;
  size_t at = out.data.size();
  out.data.resize(at + len);
  if (!ReadTraceeMemory(tid, addr, &out.data[at], len).ok()) return EFAULT;
  return 0;
}

int ReadSocketMessages(pid_t tid, const Abi& abi, uint64_t addr, uint32_t count,
                       bool vector, std::vector<SocketMessage>& out) {
  Layout l(abi);
  // sendmmsg sends at most UIO_MAXIOV messages (net/socket.c).
  if (vector && count > kMaxIovecs) count = kMaxIovecs;
  out.clear();
  size_t data = 0, rights = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t at = addr + (vector ? i * l.mmsghdr() : 0);
    SocketMessage message;
    int error = ReadMessage(tid, l, at, kMaxSendData - data, message);
    bool over = message.data_cut || rights + message.fds->size() > kMaxRights;
    // sendmmsg sends the messages before a bad one, or before one past the
    // budgets, then stops.
    if (vector && i > 0 && (error || over)) return 0;
    if (error) return error;
    if (rights + message.fds->size() > kMaxRights) return EINVAL;
    data += message.data.size();
    rights += message.fds->size();
    out.push_back(std::move(message));
  }
  return 0;
}

uint64_t MessageLengthAddress(const Abi& abi, uint64_t addr, uint32_t i) {
  Layout l(abi);
  return addr + i * l.mmsghdr() + l.msghdr();
}

}  // namespace sysgate
