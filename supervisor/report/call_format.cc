#include "supervisor/report/call_format.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "arch/procfs.h"
#include "arch/tracee_memory.h"
#include "filters/constants.h"

namespace sysgate {
namespace {

constexpr size_t kMaxString = 256;

struct FlagName {
  uint64_t bit;
  const char* name;
};

#define F(x) \
  { static_cast<uint64_t>(x), #x }
// O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE have other values on
// arm64 (its asm/fcntl.h) than on x86: they come from the policy language's
// per-ABI constants, so a decoded call reads as the rule that matches it.
std::vector<FlagName> OpenFlagNames(AbiId abi) {
  auto per_abi = [abi](const char* name) {
    return FlagName{static_cast<uint64_t>(*ConstantValue(abi, name)), name};
  };
  return {F(O_CREAT),
          F(O_EXCL),
          F(O_NOCTTY),
          F(O_TRUNC),
          F(O_APPEND),
          F(O_NONBLOCK),
          F(O_DSYNC),
          {04000000, "__O_SYNC"},
          F(O_ASYNC),
          per_abi("O_DIRECTORY"),
          per_abi("O_NOFOLLOW"),
          F(O_NOATIME),
          F(O_CLOEXEC),
          F(O_PATH),
          per_abi("O_DIRECT"),
          per_abi("O_LARGEFILE"),
          {020000000, "__O_TMPFILE"}};
}

absl::Span<const FlagName> OpenFlags(AbiId abi) {
  static const auto* by_abi = [] {
    auto* tables = new std::vector<std::vector<FlagName>>;
    for (AbiId id : AllAbis()) {
      size_t i = static_cast<size_t>(id);
      if (tables->size() <= i) tables->resize(i + 1);
      (*tables)[i] = OpenFlagNames(id);
    }
    return tables;
  }();
  return (*by_abi)[static_cast<size_t>(abi)];
}
constexpr FlagName kProt[] = {F(PROT_READ), F(PROT_WRITE), F(PROT_EXEC),
                              F(PROT_GROWSDOWN), F(PROT_GROWSUP)};
constexpr FlagName kMapFlags[] = {
    F(MAP_SHARED),    F(MAP_PRIVATE),   F(MAP_FIXED),          F(MAP_ANONYMOUS),
    F(MAP_GROWSDOWN), F(MAP_DENYWRITE), F(MAP_EXECUTABLE),     F(MAP_LOCKED),
    F(MAP_NORESERVE), F(MAP_POPULATE),  F(MAP_NONBLOCK),       F(MAP_STACK),
    F(MAP_HUGETLB),   F(MAP_SYNC),      F(MAP_FIXED_NOREPLACE)};
constexpr FlagName kCloneFlags[] = {F(CLONE_VM),
                                    F(CLONE_FS),
                                    F(CLONE_FILES),
                                    F(CLONE_SIGHAND),
                                    F(CLONE_PIDFD),
                                    F(CLONE_PTRACE),
                                    F(CLONE_VFORK),
                                    F(CLONE_PARENT),
                                    F(CLONE_THREAD),
                                    F(CLONE_NEWNS),
                                    F(CLONE_SYSVSEM),
                                    F(CLONE_SETTLS),
                                    F(CLONE_PARENT_SETTID),
                                    F(CLONE_CHILD_CLEARTID),
                                    F(CLONE_UNTRACED),
                                    F(CLONE_CHILD_SETTID),
                                    F(CLONE_NEWCGROUP),
                                    F(CLONE_NEWUTS),
                                    F(CLONE_NEWIPC),
                                    F(CLONE_NEWUSER),
                                    F(CLONE_NEWPID),
                                    F(CLONE_NEWNET),
                                    F(CLONE_IO)};
constexpr FlagName kAtFlags[] = {
    F(AT_SYMLINK_NOFOLLOW), F(AT_REMOVEDIR),  F(AT_SYMLINK_FOLLOW),
    F(AT_NO_AUTOMOUNT),     F(AT_EMPTY_PATH), {0x1000, "AT_RECURSIVE"}};
constexpr FlagName kAccess[] = {F(R_OK), F(W_OK), F(X_OK)};
constexpr FlagName kSockFlags[] = {F(SOCK_NONBLOCK), F(SOCK_CLOEXEC)};
constexpr FlagName kFamilies[] = {
    F(AF_UNSPEC),    F(AF_UNIX),  F(AF_INET),   F(AF_INET6),  F(AF_NETLINK),
    F(AF_PACKET),    F(AF_VSOCK), F(AF_ALG),    F(AF_KEY),    F(AF_BLUETOOTH),
    F(AF_APPLETALK), F(AF_X25),   F(AF_NETROM), F(AF_BRIDGE), F(AF_CAN)};
constexpr FlagName kSockTypes[] = {
    F(SOCK_STREAM),    F(SOCK_DGRAM), F(SOCK_RAW),   F(SOCK_RDM),
    F(SOCK_SEQPACKET), F(SOCK_DCCP),  F(SOCK_PACKET)};
constexpr FlagName kFcntlCmds[] = {
    F(F_DUPFD),         F(F_GETFD),      F(F_SETFD),      F(F_GETFL),
    F(F_SETFL),         F(F_GETLK),      F(F_SETLK),      F(F_SETLKW),
    F(F_SETOWN),        F(F_GETOWN),     F(F_SETSIG),     F(F_GETSIG),
    F(F_SETOWN_EX),     F(F_GETOWN_EX),  F(F_OFD_GETLK),  F(F_OFD_SETLK),
    F(F_OFD_SETLKW),    F(F_SETLEASE),   F(F_GETLEASE),   F(F_NOTIFY),
    F(F_DUPFD_CLOEXEC), F(F_SETPIPE_SZ), F(F_GETPIPE_SZ), F(F_ADD_SEALS),
    F(F_GET_SEALS)};
#undef F

// An enumerated value (not flags): its name, or the number.
template <size_t N>
std::string Named(uint64_t value, const FlagName (&names)[N]) {
  for (const FlagName& f : names) {
    if (f.bit == value) return f.name;
  }
  return absl::StrCat(value);
}

// strace -y: "3</etc/passwd>". The tracee is stopped, so its fd table
// cannot change under us.
std::string AnnotatedFd(pid_t tid, int fd) {
  if (fd < 0) return absl::StrCat(fd);
  std::string target = ReadProcLink(tid, absl::StrCat("fd/", fd));
  if (target.empty()) return absl::StrCat(fd);
  return absl::StrCat(fd, "<", EscapeString(target), ">");  // A file name.
}

std::string Symbolic(uint64_t value, absl::Span<const FlagName> names,
                     std::string prefix) {
  std::string out = std::move(prefix);
  for (const FlagName& f : names) {
    if (f.bit != 0 && (value & f.bit) == f.bit) {
      absl::StrAppend(&out, out.empty() ? "" : "|", f.name);
      value &= ~f.bit;
    }
  }
  if (value != 0 || out.empty())
    absl::StrAppend(&out, out.empty() ? "" : "|",
                    absl::StrFormat("%#x", value));
  return out;
}

int64_t AsInt(const Param& p, uint64_t v) {
  switch (p.bits) {
    case 16:
      return static_cast<int16_t>(v);
    case 32:
      return static_cast<int32_t>(v);
    default:
      return static_cast<int64_t>(v);
  }
}

}  // namespace

std::string FormatFlags(uint64_t value, ArgKind kind, AbiId abi) {
  switch (kind) {
    case ArgKind::kOpenFlags: {
      const char* mode[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
      std::string out = mode[value & O_ACCMODE];
      uint64_t rest = value & ~static_cast<uint64_t>(O_ACCMODE);
      return rest ? absl::StrCat(out, "|", Symbolic(rest, OpenFlags(abi), ""))
                  : out;
    }
    case ArgKind::kProt:
      return value == 0 ? "PROT_NONE" : Symbolic(value, kProt, "");
    case ArgKind::kMmapFlags:
      return Symbolic(value, kMapFlags, "");
    case ArgKind::kCloneFlags: {
      // The low byte is the exit signal.
      uint64_t sig = value & 0xff;
      std::string out = Symbolic(value & ~0xffull, kCloneFlags, "");
      if (out == "0") out.clear();
      return sig ? absl::StrCat(out, out.empty() ? "" : "|", SignalName(sig))
                 : (out.empty() ? "0" : out);
    }
    case ArgKind::kAtFlags:
      return Symbolic(value, kAtFlags, "");
    case ArgKind::kAccessMode:
      return value == F_OK ? "F_OK" : Symbolic(value, kAccess, "");
    case ArgKind::kSocketFamily:
      return Named(value, kFamilies);
    case ArgKind::kSocketType: {
      std::string type = Named(value & 0xf, kSockTypes);
      uint64_t flags = value & ~0xfull;
      return flags ? absl::StrCat(type, "|", Symbolic(flags, kSockFlags, ""))
                   : type;
    }
    case ArgKind::kFcntlCmd:
      return Named(value, kFcntlCmds);
    default:
      return absl::StrFormat("%#x", value);
  }
}

std::string EscapeString(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\v':
        out += "\\v";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else if (i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7') {
          // Three digits where a digit follows, as strace writes them.
          absl::StrAppendFormat(&out, "\\%03o", c);
        } else {
          absl::StrAppendFormat(&out, "\\%o", c);
        }
    }
  }
  return out;
}

std::string QuoteString(absl::string_view s) {
  return absl::StrCat("\"", EscapeString(s), "\"");
}

std::string FormatArg(const SyscallStop& stop, const Param& p, uint64_t v) {
  switch (p.kind) {
    case ArgKind::kPath:
    case ArgKind::kString: {
      if (v == 0) return "NULL";
      absl::StatusOr<TraceeString> s =
          ReadTraceeString(stop.tid, v, kMaxString);
      if (!s.ok()) return absl::StrFormat("%#x", v);
      return absl::StrCat(QuoteString(s->value), s->truncated ? "..." : "");
    }
    case ArgKind::kDirFd:
      if (static_cast<int32_t>(v) == AT_FDCWD) return "AT_FDCWD";
      return AnnotatedFd(stop.tid, static_cast<int32_t>(v));
    case ArgKind::kFd:
      return AnnotatedFd(stop.tid, static_cast<int32_t>(v));
    case ArgKind::kSigned:
      return absl::StrCat(AsInt(p, v));
    case ArgKind::kHex:
      return absl::StrFormat("%#x", KernelView(p, v));
    case ArgKind::kUnsigned:
      v = KernelView(p, v);
      return v < 0x10000 ? absl::StrCat(v) : absl::StrFormat("%#x", v);
    case ArgKind::kPointer:
      return v == 0 ? "NULL" : absl::StrFormat("%#x", v);
    case ArgKind::kMode:
      return absl::StrFormat("%#o", v & 07777);
    case ArgKind::kSignal:
      return SignalName(static_cast<int>(v));
    case ArgKind::kOpenFlags:
    case ArgKind::kProt:
    case ArgKind::kMmapFlags:
    case ArgKind::kCloneFlags:
    case ArgKind::kAtFlags:
    case ArgKind::kAccessMode:
    case ArgKind::kSocketFamily:
    case ArgKind::kSocketType:
    case ArgKind::kFcntlCmd:
      return FormatFlags(KernelView(p, v), p.kind, stop.abi);
  }
  return absl::StrFormat("%#x", v);
}

std::string FormatCall(const SyscallStop& stop) {
  const Abi& abi = GetAbi(stop.abi);
  const SyscallDesc* desc = abi.Find(stop.nr);
  std::string out = abi.Name(stop.nr) + "(";
  if (desc && desc->described) {
    for (size_t i = 0; i < desc->params.size() && i < 6; ++i) {
      absl::StrAppend(&out, i ? ", " : "",
                      FormatArg(stop, desc->params[i], stop.args[i]));
    }
  } else {
    for (int i = 0; i < 6; ++i)
      absl::StrAppendFormat(&out, "%s%#x", i ? ", " : "", stop.args[i]);
  }
  return out + ")";
}

}  // namespace sysgate
