#include "supervisor/broker.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "arch/proc_status.h"
#include "arch/seccomp_notify.h"
#include "arch/syscall_stop.h"
#include "arch/tracee_memory.h"
#include "filters/compiler.h"
#include "filters/constants.h"
#include "filters/parser.h"
#include "filters/resolve.h"

namespace sysgate {
namespace {

bool IsBrokeredCall(const std::string& n) {
  for (const char* c :
       {"open", "openat", "openat2", "creat", "stat", "lstat", "newfstatat",
        "statx", "stat64", "lstat64", "fstatat64", "access", "faccessat",
        "faccessat2", "readlink", "readlinkat", "execve", "execveat"}) {
    if (n == c) return true;
  }
  return false;
}

// The program's umask applies to files it creates through us.
mode_t UmaskOf(pid_t pid) {
  std::string umask = ProcStatusField(pid, "Umask");  // Octal.
  return umask.empty()
             ? 022
             : static_cast<mode_t>(strtoul(umask.c_str(), nullptr, 8));
}

}  // namespace

Broker::Broker(const PolicyEngine& engine, Reporter& reporter)
    : engine_(engine),
      grants_(engine.broker_rules()),
      default_errno_(engine.broker_default_errno()),
      reporter_(reporter) {}

Broker::~Broker() {
  Stop();
  if (listener_ >= 0) close(listener_);
}

absl::Status Broker::Start(int listener) {
  listener_ = listener;
  SetSyncWakeUp(listener_);
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

bool Broker::ExecAllowed(const std::string& exe) const {
  return !grants_.HasMode(BrokerRule::Mode::kExec) ||
         grants_.Grants(exe, BrokerRule::Mode::kExec) != nullptr;
}

BrokeredOpen Broker::Open(pid_t pid, const OpenRequest& req) const {
  BrokeredOpen out;
  bool write =
      (req.flags & O_ACCMODE) != O_RDONLY || (req.flags & (O_CREAT | O_TRUNC));
  BrokerRule::Mode mode =
      write ? BrokerRule::Mode::kWrite : BrokerRule::Mode::kRead;
  // O_NOFOLLOW, and openat2's RESOLVE_NO_SYMLINKS, forbid a final symlink.
  bool follow_last =
      !(req.flags & O_NOFOLLOW) && !(req.resolve & RESOLVE_NO_SYMLINKS);
  ResolvedPath r =
      ResolvePath(pid, req.dirfd, req.path, follow_last, req.resolve);
  auto deny = [&] {
    out.resolved = r.path;
    out.refused = r.refused;
    out.error = default_errno_;
    out.denied = true;
    return out;
  };
  if (r.error) {
    out.error = r.error;
    return out;
  }
  out.resolved = r.path;
  if (r.object.get() >= 0) {
    out.rule = Grant(r, mode);
    if (out.rule == nullptr) return deny();
    struct stat st;
    if (fstat(r.object.get(), &st) == 0 && S_ISLNK(st.st_mode)) {
      out.error = ELOOP;  // As open(2) and openat2(2) fail it.
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
    out.fd = open(absl::StrCat("/proc/self/fd/", r.object.get()).c_str(),
                  static_cast<int>(flags));
    if (out.fd < 0) out.error = errno;
    return out;
  }
  if (r.object_error != ENOENT || !(req.flags & O_CREAT) || r.last == "." ||
      r.last == "..") {
    // Say ENOENT (or whatever it was) only where the program may look.
    if (Grant(r, BrokerRule::Mode::kRead) == nullptr) return deny();
    out.error = r.object_error;
    return out;
  }
  out.rule = Grant(r, BrokerRule::Mode::kWrite);
  if (out.rule == nullptr) return deny();
  // Create it, never through a symlink (a dangling one would point
  // anywhere), with the program's umask.
  OpenResult created = OpenAt2(r.dir.get(), r.last,
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

void Broker::Report(Event::Kind kind, const Call& call,
                    const std::string& action, const std::string& rule,
                    const std::string& detail) {
  if (!reporter_.Wants(kind)) return;
  Event e;
  e.kind = kind;
  e.pid = ThreadGroupOf(call.pid());  // A notification names a thread.
  e.tid = call.pid();
  e.call = CallInfoOf(call.Stop(), reporter_.WantsText(kind));
  e.action = action;
  e.rule = rule;
  e.detail = detail;
  reporter_.Report(e);
}

const BrokerRule* Broker::Grant(const ResolvedPath& r,
                                BrokerRule::Mode mode) const {
  if (!r.refused.empty()) return nullptr;
  const BrokerRule* rule = grants_.Grants(r.path, mode);
  if (rule == nullptr && !r.self_path.empty())
    rule = grants_.Grants(r.self_path, mode);
  return rule;
}

void Broker::Deny(const Call& call, const std::string& resolved,
                  const std::string& refused) {
  Report(Event::Kind::kViolation, call,
         absl::StrCat("errno(", ErrnoName(default_errno_), ")"),
         refused.empty() ? "broker default" : "sysgate guard",
         refused.empty()
             ? absl::StrCat("resolved to ", resolved)
             : absl::StrCat("resolved to ", resolved, ": ", refused));
  RespondNotification(listener_, call.id(), 0, default_errno_).IgnoreError();
}

void Broker::HandlePolicy(const Call& call) {
  Verdict v = engine_.DecideNotified(call.Stop());
  std::string rule = engine_.RuleName(v.rule);
  if (v.action.kind == Action::Kind::kEmulate) {
    Report(Event::Kind::kEmulate, call, v.action.ToString(), rule, "");
    RespondNotification(listener_, call.id(), v.action.value, 0).IgnoreError();
  } else {
    // Not one the notify filter hands us: refuse rather than guess.
    RespondNotification(listener_, call.id(), 0, ENOSYS).IgnoreError();
  }
}

void Broker::LookupFailed(const Call& call, const ResolvedPath& r, int error) {
  if (r.error == 0 && Grant(r, BrokerRule::Mode::kRead) == nullptr)
    return Deny(call, r);
  RespondNotification(listener_, call.id(), 0, error).IgnoreError();
}

void Broker::HandleOpen(const Call& call) {
  OpenRequest req;
  const auto& a = call.args;
  req.path = call.path;
  if (call.name == "open") {
    req.flags = a[1];
    req.mode = a[2];
  } else if (call.name == "creat") {
    req.flags = O_CREAT | O_WRONLY | O_TRUNC;
    req.mode = a[1];
  } else {
    req.dirfd = call.Dirfd(0);
    req.flags = a[2];
    req.mode = a[3];
    if (call.name == "openat2") {
      struct open_how how;
      std::memset(&how, 0, sizeof(how));
      if (a[3] < sizeof(how) ||
          !ReadTraceeMemory(call.pid(), a[2], &how, sizeof(how)).ok()) {
        RespondNotification(listener_, call.id(), 0,
                            a[3] < sizeof(how) ? EINVAL : EFAULT)
            .IgnoreError();
        return;
      }
      req.flags = how.flags;
      req.mode = how.mode;
      req.resolve = how.resolve;
    }
  }
  if (call.abi->word_bits() == 32) req.flags |= O_LARGEFILE;
  BrokeredOpen result = Open(call.pid(), req);
  if (result.fd >= 0) {
    ScopedFd ours(result.fd);
    RespondWithFd(listener_, call.id(), ours.get(), req.flags & O_CLOEXEC)
        .IgnoreError();
  } else if (result.denied) {
    Deny(call, result.resolved, result.refused);
  } else {
    RespondNotification(listener_, call.id(), 0, result.error).IgnoreError();
  }
}

// exec: a friendly EACCES for what is clearly not granted; the call then
// runs by path, so the real check is Supervisor's at the exec stop
// (ExecAllowed on /proc/PID/exe), where a swapped file cannot hide.
void Broker::HandleExec(const Call& call) {
  if (!grants_.HasMode(BrokerRule::Mode::kExec)) {
    RespondContinue(listener_, call.id()).IgnoreError();
    return;
  }
  bool at_call = call.name == "execveat";
  uint64_t flags = at_call ? call.args[4] : 0;
  if (call.path.empty() && (flags & AT_EMPTY_PATH)) {
    RespondContinue(listener_, call.id())
        .IgnoreError();  // Checked at the exec stop.
    return;
  }
  ResolvedPath r = ResolvePath(call.pid(), at_call ? call.Dirfd(0) : AT_FDCWD,
                               call.path, true);
  if (r.error || r.object.get() < 0) {
    RespondNotification(listener_, call.id(), 0,
                        r.error ? r.error : r.object_error)
        .IgnoreError();
    return;
  }
  if (Grant(r, BrokerRule::Mode::kExec) == nullptr) return Deny(call, r);
  RespondContinue(listener_, call.id()).IgnoreError();
}

void Broker::Handle(const seccomp_notif& notif) {
  Call call;
  call.notif = &notif;
  call.abi = AbiForAuditArch(notif.data.arch);
  if (call.abi == nullptr) {
    RespondNotification(listener_, notif.id, 0, ENOSYS).IgnoreError();
    return;
  }
  for (int i = 0; i < 6; ++i) {
    call.args[i] = call.abi->word_bits() == 32
                       ? notif.data.args[i] & 0xffffffffu
                       : notif.data.args[i];
  }
  call.name = call.abi->Name(notif.data.nr);
  if (grants_.empty() || !IsBrokeredCall(call.name)) return HandlePolicy(call);
  bool path_first =
      call.name == "open" || call.name == "creat" || call.name == "stat" ||
      call.name == "lstat" || call.name == "stat64" || call.name == "lstat64" ||
      call.name == "access" || call.name == "readlink" || call.name == "execve";
  // Read the path once; everything after uses this copy.
  absl::StatusOr<TraceeString> path =
      ReadTraceeString(call.pid(), call.args[path_first ? 0 : 1], kMaxPath);
  // The caller may have died and its pid been reused while we read.
  if (!NotificationValid(listener_, notif.id)) return;
  if (!path.ok() || path->truncated) {
    RespondNotification(listener_, notif.id, 0,
                        path.ok() ? ENAMETOOLONG : EFAULT)
        .IgnoreError();
    return;
  }
  call.path = path->value;
  const std::string& n = call.name;
  if (n == "open" || n == "openat" || n == "openat2" || n == "creat")
    return HandleOpen(call);
  if (n == "access" || n == "faccessat" || n == "faccessat2")
    return HandleAccess(call);
  if (n == "readlink" || n == "readlinkat") return HandleReadlink(call);
  if (n == "execve" || n == "execveat") return HandleExec(call);
  HandleStat(call);
}

}  // namespace sysgate
