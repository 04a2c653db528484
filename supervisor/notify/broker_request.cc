#include "supervisor/notify/broker_request.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>

#include <cstddef>
#include <cstring>

#include "arch/file_calls.h"
#include "arch/tracee_memory.h"

namespace sysgate {
namespace {

int ReadPath(pid_t tid, uint64_t addr, std::string& out) {
  absl::StatusOr<TraceeString> path = ReadTraceeString(tid, addr, kMaxPath);
  if (!path.ok()) return EFAULT;
  if (path->truncated) return ENAMETOOLONG;
  out = std::move(path->value);
  return 0;
}

// The times of utime (seconds), utimes (timeval) and utimensat (timespec),
// each in its ABI's words, as the timespecs utimensat(2) takes.
int ReadTimes(BrokerRequest& r) {
  const BrokeredCall& call = *r.call;
  uint64_t addr = r.Arg(call.times);
  r.has_times = addr != 0;
  if (!r.has_times) return 0;
  size_t word = call.times_layout == TimesLayout::kTimespec64
                    ? 8
                    : static_cast<size_t>(r.abi().word_bits() / 8);
  size_t words = call.times_layout == TimesLayout::kUtimbuf ? 2 : 4;
  unsigned char raw[32];
  if (!ReadTraceeMemory(r.tid(), addr, raw, word * words).ok()) return EFAULT;
  for (int i = 0; i < 2; ++i) {
    if (call.times_layout == TimesLayout::kUtimbuf) {
      r.times[i] = {static_cast<time_t>(SignedWordAt(raw + i * word, word)), 0};
      continue;
    }
    int64_t sec = SignedWordAt(raw + 2 * i * word, word);
    int64_t part = SignedWordAt(raw + (2 * i + 1) * word, word);
    if (call.times_layout == TimesLayout::kTimeval) {
      // As utimes(2) checks its microseconds (fs/utimes.c).
      if (part < 0 || part >= 1000000) return EINVAL;
      part *= 1000;
    }
    r.times[i] = {static_cast<time_t>(sec), static_cast<long>(part)};
  }
  return 0;
}

// chown's ids; i386's chown16 and lchown16 widen a 16-bit -1 to -1
// (kernel/uid16.c, low2highuid).
// The *xattrat forms' struct xattr_args { u64 value; u32 size; u32 flags; }
// as fs/xattr.c copies it (copy_struct_from_user): at least its first
// version's 16 bytes, at most a page, anything past what the kernel knows
// zero.
int ReadXattrArgs(BrokerRequest& r) {
  constexpr uint64_t kVersion0 = 16;
  uint64_t usize = r.Arg(r.call->xattr_args + 1);
  if (usize > static_cast<uint64_t>(sysconf(_SC_PAGESIZE))) return E2BIG;
  if (usize < kVersion0) return EINVAL;
  std::string raw(usize, '\0');
  if (!ReadTraceeMemory(r.tid(), r.Arg(r.call->xattr_args), &raw[0], usize)
           .ok())
    return EFAULT;
  if (raw.find_first_not_of('\0', kVersion0) != std::string::npos) return E2BIG;
  uint32_t size;
  std::memcpy(&r.xattr.address, raw.data(), 8);
  std::memcpy(&size, raw.data() + 8, 4);
  std::memcpy(&r.xattr.flags, raw.data() + 12, 4);
  r.xattr.size = size;
  // getxattrat takes no flags there (yet).
  if (r.call->op == BrokerOp::kXattrRead && r.xattr.flags != 0) return EINVAL;
  return 0;
}

// An xattr call's value (BrokerRequest::XattrValue); a set's bytes are
// read, at most XATTR_SIZE_MAX of them (E2BIG).
int ReadXattr(BrokerRequest& r) {
  const BrokeredCall& call = *r.call;
  BrokerRequest::XattrValue& x = r.xattr;
  if (call.xattr_args != kNoArg) {
    if (int error = ReadXattrArgs(r)) return error;
  } else if (call.value != kNoArg) {
    x.address = r.Arg(call.value);
    x.size = r.Arg(call.value + 1);
    x.flags = static_cast<uint32_t>(r.Arg(call.xattr_flags));
  } else if (call.buffer != kNoArg) {
    x.address = r.Arg(call.buffer);
    x.size = r.Arg(call.size);
  }
  if (call.op != BrokerOp::kXattrChange || !SetsXattr(call)) return 0;
  constexpr uint64_t kXattrSizeMax = 65536;
  if (x.size > kXattrSizeMax) return E2BIG;
  x.bytes.assign(x.size, '\0');
  if (x.size > 0 &&
      !ReadTraceeMemory(r.tid(), x.address, &x.bytes[0], x.size).ok())
    return EFAULT;
  return 0;
}

void ReadOwner(BrokerRequest& r) {
  const BrokeredCall& call = *r.call;
  r.uid = static_cast<uint32_t>(r.Arg(call.owner));
  r.gid = static_cast<uint32_t>(r.Arg(call.owner + 1));
  if (call.owner16_on_i386 && r.stop.abi == AbiId::kI386) {
    auto widen = [](uint32_t id) {
      id &= 0xffff;
      return id == 0xffff ? 0xffffffffu : id;
    };
    r.uid = widen(r.uid);
    r.gid = widen(r.gid);
  }
}

// truncate's length: a long, or i386 truncate64's loff_t in two words.
int64_t LengthOf(const BrokerRequest& r) {
  const BrokeredCall& call = *r.call;
  uint64_t low = r.Arg(call.length);
  if (call.length_pair)
    return static_cast<int64_t>(low | r.Arg(call.length + 1) << 32);
  if (r.abi().word_bits() == 32) return static_cast<int32_t>(low);
  return static_cast<int64_t>(low);
}

// socketcall(call, args): its sub-call's arguments, as many words of the
// ABI as that call takes (net/socket.c, nargs), read once.
int ReadSocketCall(BrokerRequest& r) {
  const BrokeredCall* sub = SocketSubCall(r.Arg(0));
  if (sub == nullptr) return 0;  // Answered by the broker: the kernel's.
  uint32_t words[6] = {};
  size_t count = sub->op == BrokerOp::kSendTo   ? 6
                 : sub->message_count != kNoArg ? 4
                                                : 3;
  if (!ReadTraceeMemory(r.tid(), r.Arg(1), words, count * 4).ok())
    return EFAULT;
  r.call = sub;
  r.via_socketcall = true;
  for (size_t i = 0; i < 6; ++i) r.stop.args[i] = i < count ? words[i] : 0;
  r.flags = r.Arg(sub->flags) | sub->implied_flags;
  return 0;
}

// The socket calls' operands: the socket (or inotify instance), the
// address, the data or messages.
int ReadSocketOperands(BrokerRequest& r) {
  // sendto's null address is none, whatever its length (net/socket.c);
  // bind's and connect's is a fault. Without one a direct sendto runs in
  // the kernel (Broker::SendTo): nothing to read.
  bool no_address =
      r.call->op == BrokerOp::kSendTo && r.Arg(r.call->sockaddr) == 0;
  if (no_address && !r.via_socketcall) return 0;
  if (r.call->through != kNoArg) {
    int fd =
        FetchDescriptor(r.tid(), static_cast<int32_t>(r.Arg(r.call->through)));
    if (fd < 0) return -fd == ESRCH ? ESRCH : EBADF;
    r.through = ScopedFd(fd);
  }
  if (r.call->sockaddr != kNoArg && !no_address) {
    if (int error = ReadSocketAddress(r.tid(), r.Arg(r.call->sockaddr),
                                      r.Arg(r.call->sockaddr + 1), r.address))
      return error;
    r.paths[0] = UnixPathOf(r.address);
  }
  if (r.call->data != kNoArg) {
    r.messages->resize(1);
    if (int error =
            ReadSendData(r.tid(), r.Arg(r.call->data), r.Arg(r.call->data + 1),
                         kMaxSendData, (*r.messages)[0]))
      return error;
  }
  if (r.call->messages != kNoArg) {
    bool vector = r.call->message_count != kNoArg;
    uint32_t count =
        vector ? static_cast<uint32_t>(r.Arg(r.call->message_count)) : 1;
    return ReadSocketMessages(r.tid(), r.abi(), r.Arg(r.call->messages), count,
                              vector, *r.messages);
  }
  return 0;
}

}  // namespace

const BrokeredCall* SocketSubCall(uint64_t call) {
  // include/uapi/linux/net.h.
  constexpr uint64_t kBind = 2, kConnect = 3, kSendTo = 11, kSendMsg = 16,
                     kSendMmsg = 20;
  switch (call) {
    case kBind:
      return FindBrokeredCall("bind");
    case kConnect:
      return FindBrokeredCall("connect");
    case kSendTo:
      return FindBrokeredCall("sendto");
    case kSendMsg:
      return FindBrokeredCall("sendmsg");
    case kSendMmsg:
      return FindBrokeredCall("sendmmsg");
    default:
      return nullptr;
  }
}

int BrokerRequest::Dirfd(int i) const {
  int8_t arg = call->paths[i].dirfd;
  return arg == kNoArg ? AT_FDCWD : static_cast<int32_t>(stop.args[arg]);
}

BrokerRequest MakeRequest(const BrokeredCall& call, const SyscallStop& stop) {
  BrokerRequest r;
  r.call = &call;
  r.stop = stop;
  // The kernel reads a 32-bit ABI's arguments as 32-bit words.
  if (GetAbi(stop.abi).word_bits() == 32) {
    for (uint64_t& a : r.stop.args) a &= 0xffffffffu;
  }
  r.flags = r.Arg(call.flags) | call.implied_flags;
  r.mode = r.Arg(call.mode);
  return r;
}

int ReadOperands(BrokerRequest& r) {
  if (IsXattrAtForm(*r.call) && !KernelHasXattrAt()) return ENOSYS;
  if (r.call->op == BrokerOp::kSocketCall) {
    if (int error = ReadSocketCall(r)) return error;
  }
  // utimensat and futimesat with a null path set the dirfd's own times,
  // and statx and newfstatat take a null path with AT_EMPTY_PATH as an
  // empty one (Linux 6.11): the kernel reads no path, nor does the broker.
  bool may_be_null =
      r.call->op == BrokerOp::kTimes ||
      (r.call->op == BrokerOp::kStat && (r.flags & AT_EMPTY_PATH));
  if (may_be_null && r.Arg(r.call->paths[0].path) == 0) {
    r.null_path = true;
    return 0;
  }
  for (int i = 0; i < r.call->path_count(); ++i) {
    int error = ReadPath(r.tid(), r.Arg(r.call->paths[i].path), r.paths[i]);
    if (error) return error;
  }
  if (r.call->text != kNoArg) {
    int error = ReadPath(r.tid(), r.Arg(r.call->text), r.text);
    if (error) return error;
  }
  if (r.call->op == BrokerOp::kXattrRead ||
      r.call->op == BrokerOp::kXattrChange) {
    if (int error = ReadXattr(r)) return error;
  }
  if (r.call->owner != kNoArg) ReadOwner(r);
  if (r.call->length != kNoArg) r.length = LengthOf(r);
  if (r.call->times != kNoArg) {
    int error = ReadTimes(r);
    if (error) return error;
  }
  if (r.call->how != kNoArg) {
    struct open_how how;
    std::memset(&how, 0, sizeof(how));
    if (r.Arg(r.call->size) < sizeof(how)) return EINVAL;
    if (!ReadTraceeMemory(r.tid(), r.Arg(r.call->how), &how, sizeof(how)).ok())
      return EFAULT;
    r.flags = how.flags;
    r.mode = how.mode;
    r.resolve = how.resolve;
  }
  return ReadSocketOperands(r);
}

}  // namespace sysgate
