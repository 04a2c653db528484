#include "filters/constants.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sysgate {
namespace {

using ConstantMap = absl::flat_hash_map<std::string, int64_t>;

// Values from the host's headers; they are the same on every supported ABI
// except where PerAbiOverride says otherwise.
const ConstantMap& Common() {
  static const ConstantMap* map = new ConstantMap{
#define C(name) {#name, static_cast<int64_t>(name)},
      C(O_RDONLY) C(O_WRONLY) C(O_RDWR) C(O_ACCMODE) C(O_CREAT) C(O_EXCL) C(
          O_NOCTTY) C(O_TRUNC) C(O_APPEND) C(O_NONBLOCK) C(O_DSYNC) C(O_SYNC)
          C(O_CLOEXEC) C(O_PATH) C(O_NOATIME) C(O_ASYNC) C(O_NDELAY) C(
              AT_FDCWD) C(AT_SYMLINK_NOFOLLOW) C(AT_REMOVEDIR)
              C(AT_SYMLINK_FOLLOW) C(AT_NO_AUTOMOUNT) C(AT_EMPTY_PATH) C(AT_EACCESS) C(PROT_NONE) C(PROT_READ) C(
                  PROT_WRITE) C(PROT_EXEC) C(PROT_GROWSDOWN) C(PROT_GROWSUP) C(MAP_SHARED)
                  C(MAP_PRIVATE) C(MAP_SHARED_VALIDATE) C(MAP_FIXED) C(MAP_ANONYMOUS) C(MAP_ANON) C(
                      MAP_GROWSDOWN) C(MAP_DENYWRITE) C(MAP_EXECUTABLE) C(MAP_LOCKED)
                      C(MAP_NORESERVE) C(MAP_POPULATE) C(MAP_NONBLOCK) C(MAP_STACK) C(MAP_HUGETLB) C(MAP_SYNC) C(
                          MAP_FIXED_NOREPLACE) C(CLONE_VM) C(CLONE_FS) C(CLONE_FILES) C(CLONE_SIGHAND)
                          C(CLONE_PIDFD) C(CLONE_PTRACE) C(CLONE_VFORK) C(CLONE_PARENT) C(CLONE_THREAD) C(
                              CLONE_NEWNS) C(CLONE_SYSVSEM) C(CLONE_SETTLS)
                              C(CLONE_PARENT_SETTID) C(CLONE_CHILD_CLEARTID) C(
                                  CLONE_DETACHED) C(CLONE_UNTRACED) C(CLONE_CHILD_SETTID)
                                  C(CLONE_NEWCGROUP) C(CLONE_NEWUTS) C(CLONE_NEWIPC) C(
                                      CLONE_NEWUSER) C(CLONE_NEWPID) C(CLONE_NEWNET) C(CLONE_IO)
                                      C(SOCK_STREAM) C(SOCK_DGRAM) C(SOCK_RAW) C(SOCK_RDM) C(
                                          SOCK_SEQPACKET) C(SOCK_PACKET)
                                          C(SOCK_NONBLOCK) C(SOCK_CLOEXEC) C(AF_UNSPEC) C(
                                              AF_UNIX) C(AF_LOCAL) C(AF_INET) C(AF_INET6) C(AF_NETLINK)
                                              C(AF_PACKET) C(AF_VSOCK) C(AF_ALG) C(AF_BLUETOOTH) C(
                                                  AF_KEY) C(F_DUPFD) C(F_GETFD) C(F_SETFD)
                                                  C(F_GETFL) C(F_SETFL) C(F_GETLK) C(
                                                      F_SETLK) C(F_SETLKW) C(F_SETOWN) C(F_GETOWN)
                                                      C(F_DUPFD_CLOEXEC) C(F_SETPIPE_SZ) C(F_GETPIPE_SZ) C(
                                                          F_ADD_SEALS) C(F_GET_SEALS) C(F_OFD_GETLK)
                                                          C(F_OFD_SETLK) C(F_OFD_SETLKW) C(
                                                              FD_CLOEXEC) C(PR_SET_PDEATHSIG) C(PR_GET_PDEATHSIG)
                                                              C(PR_GET_DUMPABLE) C(PR_SET_DUMPABLE) C(
                                                                  PR_SET_NAME) C(PR_GET_NAME)
                                                                  C(PR_SET_SECCOMP) C(
                                                                      PR_GET_SECCOMP) C(PR_SET_NO_NEW_PRIVS)
                                                                      C(PR_GET_NO_NEW_PRIVS) C(
                                                                          PR_CAPBSET_READ)
                                                                          C(PR_CAPBSET_DROP) C(
                                                                              PR_SET_KEEPCAPS)
                                                                              C(PR_SET_PTRACER) C(
                                                                                  PR_SET_CHILD_SUBREAPER)
                                                                                  C(PR_SET_VMA) C(
                                                                                      PR_SET_TIMERSLACK)
                                                                                      C(PR_CAP_AMBIENT)
                                                                                          C(PR_SET_MM)
      // Terminal requests (asm-generic/ioctls.h, the same on every ABI
      // sysgate supports) and personalities (linux/personality.h).
      C(TIOCSTI) C(TIOCLINUX) C(TIOCSCTTY) C(TIOCSETD) C(TIOCVHANGUP)
          C(TCXONC) C(PER_LINUX)
          C(PER_LINUX32) C(READ_IMPLIES_EXEC) C(ADDR_NO_RANDOMIZE)
#undef C
  };
  return *map;
}

// Open flags whose kernel values differ by ABI (asm/fcntl.h of each arch).
// O_LARGEFILE is 0 in x86-64 userspace headers but the kernel sees 0100000.
absl::optional<int64_t> PerAbiOverride(AbiId abi, absl::string_view name) {
  struct Override {
    const char* name;
    int64_t x86;
    int64_t arm64;
  };
  static constexpr Override kOverrides[] = {
      {"O_DIRECTORY", 0200000, 040000},
      {"O_NOFOLLOW", 0400000, 0100000},
      {"O_DIRECT", 040000, 0200000},
      {"O_LARGEFILE", 0100000, 0400000},
      {"O_TMPFILE", 020000000 | 0200000, 020000000 | 040000},
  };
  for (const Override& o : kOverrides) {
    if (name == o.name) return abi == AbiId::kArm64 ? o.arm64 : o.x86;
  }
  return absl::nullopt;
}

}  // namespace

absl::optional<int64_t> ConstantValue(AbiId abi, absl::string_view name) {
  if (auto v = PerAbiOverride(abi, name)) return v;
  auto it = Common().find(std::string(name));
  if (it != Common().end()) return it->second;
  if (absl::StartsWith(name, "SIG")) {
    if (auto sig = SignalByName(name)) return *sig;
  }
  if (absl::StartsWith(name, "E")) {
    if (auto err = ErrnoByName(name)) return *err;
  }
  return absl::nullopt;
}

bool IsKnownConstant(absl::string_view name) {
  return ConstantValue(AbiId::kX86_64, name).has_value();
}

absl::optional<int> ErrnoByName(absl::string_view name) {
  static const auto* map = [] {
    auto* m = new absl::flat_hash_map<std::string, int>;
    for (int e = 1; e < 4096; ++e) {
      if (const char* n = strerrorname_np(e)) m->emplace(n, e);
    }
    return m;
  }();
  auto it = map->find(std::string(name));
  if (it == map->end()) return absl::nullopt;
  return it->second;
}

std::string ErrnoName(int err) {
  const char* n = strerrorname_np(err);
  return n ? n : absl::StrCat(err);
}

absl::optional<int> SignalByName(absl::string_view name) {
  if (absl::StartsWith(name, "SIG")) name.remove_prefix(3);
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev && name == abbrev) return sig;
  }
  int n;
  if (absl::SimpleAtoi(name, &n) && n > 0 && n < NSIG) return n;
  return absl::nullopt;
}

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? absl::StrCat("SIG", abbrev) : absl::StrCat(sig);
}

}  // namespace sysgate
