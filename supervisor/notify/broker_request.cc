#include "supervisor/notify/broker_request.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>

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

// An AF_UNIX path (sun_path up to its NUL or the address's length); empty
// for other families and abstract names, which name no file.
int ReadSocketPath(pid_t tid, uint64_t addr, uint64_t len, std::string& out) {
  struct sockaddr_un sun;
  constexpr size_t kHeader = offsetof(struct sockaddr_un, sun_path);
  if (len < sizeof(sa_family_t) || len > sizeof(sun)) return EINVAL;
  std::memset(&sun, 0, sizeof(sun));
  if (!ReadTraceeMemory(tid, addr, &sun, len).ok()) return EFAULT;
  out.clear();
  if (sun.sun_family != AF_UNIX || len <= kHeader || sun.sun_path[0] == '\0')
    return 0;
  size_t max = len - kHeader;
  out.assign(sun.sun_path, strnlen(sun.sun_path, max));
  return 0;
}

}  // namespace

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
  for (int i = 0; i < r.call->path_count(); ++i) {
    int error = ReadPath(r.tid(), r.Arg(r.call->paths[i].path), r.paths[i]);
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
  if (r.call->sockaddr != kNoArg) {
    return ReadSocketPath(r.tid(), r.Arg(r.call->sockaddr),
                          r.Arg(r.call->sockaddr + 1), r.paths[0]);
  }
  return 0;
}

}  // namespace sysgate
