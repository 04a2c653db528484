#include "supervisor/broker.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "arch/seccomp_notify.h"
#include "arch/syscall_stop.h"
#include "arch/tracee_memory.h"
#include "filters/compiler.h"
#include "filters/constants.h"
#include "filters/parser.h"
#include "filters/resolve.h"
#include "supervisor/call_format.h"

namespace sysgate {
namespace {

constexpr size_t kMaxPath = 4096;  // PATH_MAX.

// Our own descriptor, closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::string FdPath(int fd) {
  char buf[kMaxPath];
  ssize_t n = readlink(absl::StrCat("/proc/self/fd/", fd).c_str(), buf,
                       sizeof(buf) - 1);
  return n > 0 ? std::string(buf, n) : "";
}

// The program's umask applies to files it creates through us.
mode_t UmaskOf(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0) {
      return static_cast<mode_t>(
          strtoul(line.c_str() + 6, nullptr, 8));  // Octal.
    }
  }
  return 022;
}

}  // namespace

Broker::Broker(const Policy& policy, Reporter& reporter)
    : grants_(policy.broker_rules),
      default_errno_(policy.broker_default_errno.value_or(EACCES)),
      reporter_(reporter) {}

Broker::~Broker() {
  Stop();
  if (listener_ >= 0) close(listener_);
}

absl::StatusOr<BpfProgram> Broker::Filter() {
  absl::StatusOr<Policy> calls =
      ParsePolicy("log open, openat, openat2, creat\n", "<sysgate broker>");
  if (!calls.ok()) return calls.status();
  std::vector<AbiPolicy> resolved;
  for (AbiId abi : HostAbis()) {
    absl::StatusOr<AbiPolicy> r = ResolvePolicy(*calls, abi);
    if (!r.ok()) return r.status();
    resolved.push_back(std::move(*r));
  }
  FilterSpec spec;
  for (const AbiPolicy& r : resolved) spec.abis.push_back(&r);
  spec.rule_returns = {SECCOMP_RET_USER_NOTIF};
  // Other arches are killed by the main filter; here they pass to it.
  spec.unknown_arch_return = SECCOMP_RET_ALLOW;
  spec.x32_return = SECCOMP_RET_ALLOW;
  return CompileFilter(spec);
}

absl::Status Broker::Start(int listener) {
  listener_ = listener;
  if (pipe2(wake_, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  thread_ = std::thread([this] { Serve(); });
  return absl::OkStatus();
}

void Broker::Stop() {
  if (!thread_.joinable()) return;
  char c = 0;
  (void)!write(wake_[1], &c, 1);
  thread_.join();
  close(wake_[0]);
  close(wake_[1]);
}

void Broker::Serve() {
  while (true) {
    absl::StatusOr<seccomp_notif> notif =
        ReceiveNotification(listener_, wake_[0]);
    if (!notif.ok()) return;  // Woken, or no process left.
    Handle(*notif);
  }
}

BrokeredOpen Broker::Open(pid_t pid, const OpenRequest& req) const {
  BrokeredOpen out;
  bool absolute = !req.path.empty() && req.path[0] == '/';
  if (req.path.empty()) {
    out.error = ENOENT;
    return out;
  }
  std::string base = absolute ? absl::StrCat("/proc/", pid, "/root")
                     : req.dirfd == AT_FDCWD
                         ? absl::StrCat("/proc/", pid, "/cwd")
                         : absl::StrCat("/proc/", pid, "/fd/", req.dirfd);
  Fd base_fd(open(base.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (base_fd.get() < 0) {
    out.error =
        errno == ENOENT && !absolute && req.dirfd != AT_FDCWD ? EBADF : errno;
    return out;
  }
  // Split into the directory part and the last component.
  std::string rel =
      req.path.substr(req.path.find_first_not_of('/') == std::string::npos
                          ? req.path.size()
                          : req.path.find_first_not_of('/'));
  while (rel.size() > 1 && rel.back() == '/') rel.pop_back();
  size_t slash = rel.rfind('/');
  std::string dir = slash == std::string::npos ? "." : rel.substr(0, slash);
  std::string last = slash == std::string::npos ? rel : rel.substr(slash + 1);
  if (last.empty()) last = ".";
  uint64_t in_root = absolute ? RESOLVE_IN_ROOT : 0;
  OpenResult dir_open =
      OpenAt2(base_fd.get(), dir,
              {O_PATH | O_DIRECTORY | O_CLOEXEC, 0, in_root | req.resolve});
  if (dir_open.fd < 0) {
    out.error = dir_open.error;
    return out;
  }
  Fd dir_fd(dir_open.fd);
  std::string dir_path = FdPath(dir_fd.get());
  bool write =
      (req.flags & O_ACCMODE) != O_RDONLY || (req.flags & (O_CREAT | O_TRUNC));
  BrokerRule::Mode mode =
      write ? BrokerRule::Mode::kWrite : BrokerRule::Mode::kRead;
  auto deny = [&](std::string resolved) {
    out.resolved = std::move(resolved);
    out.error = default_errno_;
    out.denied = true;
    return out;
  };

  Fd object(openat(dir_fd.get(), last.c_str(),
                   O_PATH | O_CLOEXEC | (req.flags & O_NOFOLLOW)));
  if (object.get() >= 0) {
    out.resolved = FdPath(object.get());
    out.rule = grants_.Grants(out.resolved, mode);
    if (out.rule == nullptr) return deny(out.resolved);
    struct stat st;
    if (fstat(object.get(), &st) == 0 && S_ISLNK(st.st_mode)) {
      out.error = ELOOP;  // O_NOFOLLOW on a symlink, as open(2) says.
      return out;
    }
    if ((req.flags & O_CREAT) && (req.flags & O_EXCL)) {
      out.error = EEXIST;
      return out;
    }
    // Reopen that very object: nothing swapped in since can be opened.
    uint64_t flags =
        (req.flags & ~static_cast<uint64_t>(O_CREAT | O_EXCL | O_NOFOLLOW)) |
        O_CLOEXEC;
    int fd = open(absl::StrCat("/proc/self/fd/", object.get()).c_str(),
                  static_cast<int>(flags));
    if (fd < 0) {
      out.error = errno;
      return out;
    }
    out.fd = fd;
    return out;
  }
  int lookup_error = errno;
  std::string would_be =
      dir_path == "/" ? "/" + last : absl::StrCat(dir_path, "/", last);
  if (lookup_error != ENOENT || !(req.flags & O_CREAT) || last == "." ||
      last == "..") {
    // Say ENOENT (or whatever it was) only where the program may look.
    if (grants_.Grants(would_be, BrokerRule::Mode::kRead) == nullptr)
      return deny(would_be);
    out.error = lookup_error;
    return out;
  }
  out.resolved = would_be;
  out.rule = grants_.Grants(would_be, BrokerRule::Mode::kWrite);
  if (out.rule == nullptr) return deny(would_be);
  // Create it, never through a symlink (a dangling one would point
  // anywhere), with the program's umask.
  OpenResult created = OpenAt2(dir_fd.get(), last,
                               {req.flags | O_CLOEXEC, req.mode & 07777,
                                RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH});
  if (created.fd < 0) {
    out.error = created.error;
    return out;
  }
  fchmod(created.fd, static_cast<mode_t>(req.mode & 07777 & ~UmaskOf(pid)));
  out.fd = created.fd;
  return out;
}

void Broker::Handle(const seccomp_notif& notif) {
  const Abi* abi = AbiForAuditArch(notif.data.arch);
  if (abi == nullptr) {
    RespondNotification(listener_, notif.id, 0, ENOSYS).IgnoreError();
    return;
  }
  std::array<uint64_t, 6> args;
  for (int i = 0; i < 6; ++i) {
    args[i] = abi->word_bits() == 32 ? notif.data.args[i] & 0xffffffffu
                                     : notif.data.args[i];
  }
  std::string name = abi->Name(notif.data.nr);
  OpenRequest req;
  uint64_t path_addr = 0;
  if (name == "open") {
    path_addr = args[0];
    req.flags = args[1];
    req.mode = args[2];
  } else if (name == "creat") {
    path_addr = args[0];
    req.flags = O_CREAT | O_WRONLY | O_TRUNC;
    req.mode = args[1];
  } else {  // openat, openat2
    req.dirfd = static_cast<int32_t>(args[0]);
    path_addr = args[1];
    req.flags = args[2];
    req.mode = args[3];
    if (name == "openat2") {
      struct open_how how;
      std::memset(&how, 0, sizeof(how));
      if (args[3] < sizeof(how) ||
          !ReadTraceeMemory(notif.pid, args[2], &how, sizeof(how)).ok()) {
        RespondNotification(listener_, notif.id, 0,
                            args[3] < sizeof(how) ? EINVAL : EFAULT)
            .IgnoreError();
        return;
      }
      req.flags = how.flags;
      req.mode = how.mode;
      req.resolve = how.resolve;
    }
  }
  if (abi->word_bits() == 32) req.flags |= O_LARGEFILE;
  // Read the path once; everything after uses this copy.
  absl::StatusOr<TraceeString> path =
      ReadTraceeString(notif.pid, path_addr, kMaxPath);
  // The caller may have died and its pid been reused while we read.
  if (!NotificationValid(listener_, notif.id)) return;
  if (!path.ok() || path->truncated) {
    RespondNotification(listener_, notif.id, 0,
                        path.ok() ? ENAMETOOLONG : EFAULT)
        .IgnoreError();
    return;
  }
  req.path = path->value;
  BrokeredOpen result = Open(notif.pid, req);
  if (result.fd >= 0) {
    Fd ours(result.fd);
    RespondWithFd(listener_, notif.id, ours.get(), req.flags & O_CLOEXEC)
        .IgnoreError();
    return;
  }
  if (result.denied) {
    SyscallStop stop;
    stop.tid = notif.pid;
    stop.abi = abi->id();
    stop.nr = notif.data.nr;
    stop.args = args;
    stop.ip = notif.data.instruction_pointer;
    Event e;
    e.kind = Event::Kind::kViolation;
    e.pid = notif.pid;
    e.tid = notif.pid;
    CallInfo call;
    call.abi = abi->id();
    call.name = name;
    call.nr = notif.data.nr;
    call.args = args;
    call.ip = stop.ip;
    if (reporter_.WantsText(e.kind)) call.text = FormatCall(stop);
    e.call = call;
    e.action = absl::StrCat("errno(", ErrnoName(result.error), ")");
    e.rule = "broker default";
    e.detail = absl::StrCat("resolved to ", result.resolved);
    reporter_.Report(e);
  }
  RespondNotification(listener_, notif.id, 0, result.error).IgnoreError();
}

}  // namespace sysgate
