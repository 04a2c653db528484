#include "supervisor/engine/brokered_calls.h"

#include <fcntl.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sysgate {
namespace {

using Op = BrokerOp;

// Argument positions from each call's kernel signature (include/linux/
// syscalls.h); i386's stat64 calls are its own (arch/x86/entry/syscalls).
constexpr BrokeredCall kCalls[] = {
    Brokered("open", Op::kOpen).Path(0).Flags(1).Mode(2),
    Brokered("openat", Op::kOpen).At(0, 1).Flags(2).Mode(3),
    Brokered("openat2", Op::kOpen).At(0, 1).How(2, 3),
    Brokered("creat", Op::kOpen)
        .Path(0)
        .Flags(kNoArg, O_CREAT | O_WRONLY | O_TRUNC)
        .Mode(1),
    Brokered("stat", Op::kStat).Path(0).Buffer(1),
    Brokered("lstat", Op::kStat)
        .Path(0)
        .Flags(kNoArg, AT_SYMLINK_NOFOLLOW)
        .Buffer(1),
    Brokered("newfstatat", Op::kStat).At(0, 1).Buffer(2).Flags(3),
    Brokered("statx", Op::kStat).At(0, 1).Flags(2).Mask(3).Buffer(4),
    Brokered("stat64", Op::kStat).Path(0).Buffer(1),
    Brokered("lstat64", Op::kStat)
        .Path(0)
        .Flags(kNoArg, AT_SYMLINK_NOFOLLOW)
        .Buffer(1),
    Brokered("fstatat64", Op::kStat).At(0, 1).Buffer(2).Flags(3),
    Brokered("access", Op::kAccess).Path(0).Mode(1),
    Brokered("faccessat", Op::kAccess).At(0, 1).Mode(2),
    Brokered("faccessat2", Op::kAccess).At(0, 1).Mode(2).Flags(3),
    Brokered("readlink", Op::kReadlink).Path(0).Buffer(1, 2),
    Brokered("readlinkat", Op::kReadlink).At(0, 1).Buffer(2, 3),
    Brokered("execve", Op::kExec).Path(0),
    Brokered("execveat", Op::kExec).At(0, 1).Flags(4),
    Brokered("unlink", Op::kRemove).Path(0),
    Brokered("unlinkat", Op::kRemove).At(0, 1).Flags(2),
    Brokered("rmdir", Op::kRemove).Path(0).Flags(kNoArg, AT_REMOVEDIR),
    Brokered("mkdir", Op::kMakeDir).Path(0).Mode(1),
    Brokered("mkdirat", Op::kMakeDir).At(0, 1).Mode(2),
    Brokered("mknod", Op::kMakeNode).Path(0).Mode(1),
    Brokered("mknodat", Op::kMakeNode).At(0, 1).Mode(2),
    Brokered("rename", Op::kRename).Path(0).Path(1),
    Brokered("renameat", Op::kRename).At(0, 1).At(2, 3),
    Brokered("renameat2", Op::kRename).At(0, 1).At(2, 3).Flags(4),
    Brokered("link", Op::kLink).Path(0).Path(1),
    Brokered("linkat", Op::kLink).At(0, 1).At(2, 3).Flags(4),
    Brokered("symlink", Op::kSymlink).Text(0).Path(1),
    Brokered("symlinkat", Op::kSymlink).Text(0).At(1, 2),
    Brokered("chmod", Op::kChmod).Path(0).Mode(1),
    Brokered("fchmodat", Op::kChmod).At(0, 1).Mode(2),
    Brokered("fchmodat2", Op::kChmod).At(0, 1).Mode(2).Flags(3),
    Brokered("chown", Op::kChown).Path(0).Owner(1, /*ids16_on_i386=*/true),
    Brokered("lchown", Op::kChown)
        .Path(0)
        .Owner(1, /*ids16_on_i386=*/true)
        .Flags(kNoArg, AT_SYMLINK_NOFOLLOW),
    Brokered("chown32", Op::kChown).Path(0).Owner(1),
    Brokered("lchown32", Op::kChown)
        .Path(0)
        .Owner(1)
        .Flags(kNoArg, AT_SYMLINK_NOFOLLOW),
    Brokered("fchownat", Op::kChown).At(0, 1).Owner(2).Flags(4),
    // On a descriptor: a file opened for reading must not change (the
    // kernel checks ownership here, not the descriptor's mode).
    Brokered("fchmod", Op::kChmod).Fd(0).Mode(1),
    Brokered("fchown", Op::kChown).Fd(0).Owner(1, /*ids16_on_i386=*/true),
    Brokered("fchown32", Op::kChown).Fd(0).Owner(1),
    Brokered("truncate", Op::kTruncate).Path(0).Length(1),
    Brokered("truncate64", Op::kTruncate).Path(0).Length(1, /*pair=*/true),
    Brokered("utime", Op::kTimes).Path(0).Times(1, TimesLayout::kUtimbuf),
    Brokered("utimes", Op::kTimes).Path(0).Times(1, TimesLayout::kTimeval),
    Brokered("futimesat", Op::kTimes).At(0, 1).Times(2, TimesLayout::kTimeval),
    Brokered("utimensat", Op::kTimes)
        .At(0, 1)
        .Times(2, TimesLayout::kTimespec)
        .Flags(3),
    Brokered("utimensat_time64", Op::kTimes)
        .At(0, 1)
        .Times(2, TimesLayout::kTimespec64)
        .Flags(3),
    Brokered("chdir", Op::kChdir).Path(0),
    Brokered("statfs", Op::kStatfs).Path(0).Buffer(1),
    Brokered("statfs64", Op::kStatfs).Path(0).Buffer(2, 1),  // i386.
    Brokered("getxattr", Op::kXattrRead).Path(0).Text(1).Buffer(2, 3),
    Brokered("lgetxattr", Op::kXattrRead)
        .Path(0)
        .Text(1)
        .Buffer(2, 3)
        .Flags(kNoArg, AT_SYMLINK_NOFOLLOW),
    Brokered("getxattrat", Op::kXattrRead)
        .At(0, 1)
        .Flags(2)
        .Text(3)
        .XattrArgs(4),
    Brokered("listxattr", Op::kXattrRead).Path(0).Buffer(1, 2),
    Brokered("llistxattr", Op::kXattrRead)
        .Path(0)
        .Buffer(1, 2)
        .Flags(kNoArg, AT_SYMLINK_NOFOLLOW),
    // The value's size is the argument after it (fs/xattr.c).
    Brokered("setxattr", Op::kXattrChange).Path(0).Text(1).Value(2, 4),
    Brokered("lsetxattr", Op::kXattrChange)
        .Path(0)
        .Text(1)
        .Value(2, 4)
        .Flags(kNoArg, AT_SYMLINK_NOFOLLOW),
    Brokered("fsetxattr", Op::kXattrChange).Fd(0).Text(1).Value(2, 4),
    Brokered("removexattr", Op::kXattrChange).Path(0).Text(1),
    Brokered("lremovexattr", Op::kXattrChange)
        .Path(0)
        .Text(1)
        .Flags(kNoArg, AT_SYMLINK_NOFOLLOW),
    Brokered("fremovexattr", Op::kXattrChange).Fd(0).Text(1),
    Brokered("listxattrat", Op::kXattrRead).At(0, 1).Flags(2).Buffer(3, 4),
    Brokered("setxattrat", Op::kXattrChange)
        .At(0, 1)
        .Flags(2)
        .Text(3)
        .XattrArgs(4),
    Brokered("removexattrat", Op::kXattrChange).At(0, 1).Flags(2).Text(3),
    Brokered("inotify_add_watch", Op::kWatch).Through(0).Path(1).Mask(2),
    Brokered("bind", Op::kBind).Through(0).SockAddr(1),
    Brokered("connect", Op::kConnect).Through(0).SockAddr(1),
    Brokered("sendto", Op::kSendTo).Through(0).Data(1).Flags(3).SockAddr(4),
    Brokered("sendmsg", Op::kSendMessages).Through(0).Messages(1).Flags(2),
    Brokered("sendmmsg", Op::kSendMessages).Through(0).Messages(1, 2).Flags(3),
    // Its sub-call number and the address of its arguments (net/socket.c).
    Brokered("socketcall", Op::kSocketCall),
};

struct OpText {
  Op op;
  const char* what;  // What sysgate does, and what each path needs.
};
constexpr OpText kOpTexts[] = {
    {Op::kOpen,
     "opened by sysgate as above (`read` grant for `O_RDONLY`, `write` for "
     "anything that writes, creates or truncates). A missing file is created "
     "only with `O_CREAT`, only where its resolved path has a `write` grant, "
     "never through a symlink (`RESOLVE_NO_SYMLINKS`), with the program's "
     "umask. `openat2`'s own `RESOLVE_*` flags are kept."},
    {Op::kStat,
     "answered by sysgate from the resolved object (`read` grant) and "
     "written into the program's buffer, in the ABI's layout (i386's "
     "`stat64`). `AT_EMPTY_PATH` with an empty path is answered from the "
     "descriptor the program holds (an fstat: no grant needed)."},
    {Op::kAccess,
     "answered by sysgate on the resolved object (`W_OK` needs a `write` "
     "grant)."},
    {Op::kReadlink,
     "the link itself needs a `read` grant; sysgate reads it and writes the "
     "target into the program's buffer."},
    {Op::kExec,
     "with `broker exec` rules: an ungranted path fails with EACCES up "
     "front; the call then runs by path, so the decisive check is at the "
     "exec stop: the image the kernel actually loaded (`/proc/PID/exe`), "
     "before it runs one instruction; an ungranted one is killed (SIGKILL) "
     "and reported. Scripts need their interpreter granted. Without `exec` "
     "rules exec is not restricted."},
    {Op::kRemove,
     "removed by sysgate: the name in the directory sysgate resolved "
     "(`unlinkat` on that directory), `write` grant on the name."},
    {Op::kMakeDir,
     "made by sysgate in the resolved directory, `write` grant on the new "
     "name, with the program's umask."},
    {Op::kMakeNode,
     "as `mkdir`, for a regular file, FIFO or socket; a device node is "
     "refused (EPERM, reported) whatever the grants."},
    {Op::kRename,
     "renamed by sysgate between the two resolved directories, `write` "
     "grant on both names (`RENAME_EXCHANGE` and `RENAME_NOREPLACE` kept)."},
    {Op::kLink,
     "`write` grant on the new name, and the source granted every mode the "
     "new name's grants would give it (a `read`-only file linked into a "
     "`write` grant is refused)."},
    {Op::kSymlink,
     "made by sysgate, `write` grant on the new name; the target is text, "
     "checked when something opens through the link."},
    {Op::kChmod,
     "done by sysgate on the resolved object (`write` grant; for `fchmod`, "
     "the object the descriptor names)."},
    {Op::kChown,
     "done by sysgate on the resolved object (`write` grant); i386's 16-bit "
     "`chown`/`lchown` ids are widened as the kernel does."},
    {Op::kTruncate,
     "sysgate reopens the resolved object for writing and truncates it "
     "(`write` grant)."},
    {Op::kTimes,
     "set by sysgate on the resolved object (`write` grant); `utimensat` "
     "with a null path (futimens) on the object its descriptor names."},
    {Op::kChdir,
     "checked on the resolved directory (as `stat`: a `read` grant, or a "
     "directory on the way to one), then run by path: a path swapped "
     "meanwhile moves only where later relative paths start, and each of "
     "those is resolved and checked again."},
    {Op::kStatfs,
     "answered by sysgate from the resolved object's file system (as "
     "`stat`), in the ABI's layout (i386's `statfs` and `statfs64`)."},
    {Op::kXattrRead,
     "read by sysgate from the resolved object (`read` grant) into the "
     "program's buffer (size 0: the size needed). `fgetxattr` and "
     "`flistxattr` run on the descriptor, which the broker gave; "
     "`getxattrat` and `listxattrat` take `AT_SYMLINK_NOFOLLOW` and "
     "`AT_EMPTY_PATH` (the descriptor's object); `file_getattr` fails with "
     "EOPNOTSUPP."},
    {Op::kXattrChange,
     "set or removed by sysgate on the resolved object (`write` grant; for "
     "`fsetxattr` and `fremovexattr`, the object the descriptor names: one "
     "opened for reading does not change), with the name and value it "
     "read once (`setxattrat`'s from its `struct xattr_args`); "
     "`file_setattr` fails with EOPNOTSUPP."},
    {Op::kWatch,
     "added by sysgate on the resolved object (`read` grant), through the "
     "program's own inotify descriptor: the watch descriptor is the "
     "program's, and its events name what the program watches."},
    {Op::kBind,
     "done by sysgate on the program's own socket (fetched with "
     "`pidfd_getfd`), with the address it read once. An AF_UNIX path is "
     "made in the directory sysgate resolved (`write` grant on the name, "
     "the program's umask); other families and abstract names are bound "
     "as given."},
    {Op::kConnect,
     "as `bind`; an AF_UNIX path is resolved as the caller (its final "
     "symlink followed, as the kernel does) and needs a `write` grant on "
     "the socket file, which sysgate connects to by its descriptor. A "
     "connect that may wait (a blocking stream socket) finishes on a "
     "thread of its own."},
    {Op::kSendTo,
     "with an address, as `connect` for an AF_UNIX path; sysgate sends "
     "the data it read (`MSG_NOSIGNAL`: a broken pipe's SIGPIPE goes to "
     "the caller). Without one (`send`), nothing names a file: the kernel "
     "runs the call."},
    {Op::kSendMessages,
     "every message read once (its name, data and control messages, with "
     "`SCM_RIGHTS` descriptors fetched from the program) and sent by "
     "sysgate as `sendto` is; `sendmmsg` writes each `msg_len` back."},
    {Op::kSocketCall,
     "i386's multiplexer: its arguments read once from memory; `bind`, "
     "`connect`, `sendto`, `sendmsg` and `sendmmsg` are served as those "
     "calls, the rest name no file and run in the kernel."},
};

}  // namespace

absl::Span<const BrokeredCall> BrokeredCalls() { return kCalls; }

bool ServedOnNotifyThread(BrokerOp op) {
  // The socket calls too: a connect or send that may wait needs a thread
  // of its own, which only the notification server can answer from.
  return op == Op::kOpen || op == Op::kMakeDir || op == Op::kMakeNode ||
         op == Op::kBind || op == Op::kConnect || op == Op::kSendTo ||
         op == Op::kSendMessages || op == Op::kSocketCall;
}

const BrokeredCall* FindBrokeredCall(absl::string_view name) {
  for (const BrokeredCall& c : kCalls) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string DescribeOperands(const BrokeredCall& call) {
  std::vector<std::string> roles(6);
  auto name = [&](int8_t arg, const char* role) {
    if (arg != kNoArg) roles[arg] = role;
  };
  for (int i = 0; i < call.path_count(); ++i) {
    name(call.paths[i].dirfd, i == 0 ? "dirfd" : "dirfd2");
    name(call.paths[i].path, i == 0 ? "path" : "path2");
  }
  name(call.sockaddr, "sockaddr");
  if (call.sockaddr != kNoArg) name(call.sockaddr + 1, "addrlen");
  name(call.flags, "flags");
  name(call.mode, "mode");
  name(call.how, "how");
  name(call.mask, "mask");
  name(call.held_fd, "fd");
  name(call.through, call.op == Op::kWatch ? "inotify_fd" : "sockfd");
  name(call.data, "buf");
  if (call.data != kNoArg) name(call.data + 1, "len");
  name(call.messages, call.message_count == kNoArg ? "msg" : "msgvec");
  name(call.message_count, "vlen");
  if (call.op == Op::kSocketCall) {
    name(0, "call");
    name(1, "args");
  }
  name(call.text, call.op == Op::kSymlink ? "target" : "name");
  name(call.owner, "owner");
  if (call.owner != kNoArg) name(call.owner + 1, "group");
  name(call.length, "length");
  if (call.length_pair) name(call.length + 1, "length_hi");
  name(call.times, "times");
  name(call.buffer, "buf");
  name(call.size, "size");
  while (!roles.empty() && roles.back().empty()) roles.pop_back();
  for (std::string& r : roles) {
    if (r.empty()) r = "...";
  }
  return absl::StrCat(call.name, "(", absl::StrJoin(roles, ", "), ")");
}

std::string BrokeredCallsMarkdown() {
  std::string out = "| calls | what happens |\n| --- | --- |\n";
  for (const OpText& text : kOpTexts) {
    std::vector<std::string> calls;
    for (const BrokeredCall& c : kCalls) {
      if (c.op == text.op)
        calls.push_back(absl::StrCat("`", DescribeOperands(c), "`"));
    }
    absl::StrAppend(&out, "| ", absl::StrJoin(calls, ", "), " | ", text.what,
                    " |\n");
  }
  return out;
}

}  // namespace sysgate
