// The one table of the calls the file broker performs for the program:
// per call, which argument is which (paths and their directory fds, flags,
// a socket address in memory, where the answer goes) and the operation
// that serves it. Derived from it: which calls the notification filter
// hands to the broker (rule_table.cc), how the broker reads a call's
// operands (supervisor/notify/broker_request.cc), and README's table
// (BrokeredCallsMarkdown, checked by brokered_calls_test).
//
// Rows are by name; each ABI that has the name uses its own number for it
// (the arguments are in the same positions on every ABI sysgate knows).
#ifndef SYSGATE_SUPERVISOR_ENGINE_BROKERED_CALLS_H_
#define SYSGATE_SUPERVISOR_ENGINE_BROKERED_CALLS_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sysgate {

enum class BrokerOp : uint8_t {
  kOpen,      // Opened by sysgate; the descriptor installed in the caller.
  kStat,      // Answered from the object sysgate resolved.
  kAccess,    // Checked on that object.
  kReadlink,  // Read by sysgate, written into the caller's buffer.
  kExec,      // Checked up front, and again on the image the kernel loaded.
  // Calls that change the tree or an object in it, performed by sysgate on
  // what it resolved (broker_change.cc): the kernel never reads their paths.
  kRemove,    // unlink, rmdir: the name, in its resolved directory.
  kMakeDir,   // mkdir: the name, in its resolved directory.
  kMakeNode,  // mknod: a file, FIFO or socket; never a device.
  kRename,    // Both names, each in its resolved directory.
  kLink,      // A new name for the resolved source.
  kSymlink,   // A new name holding `text` (never resolved: a target).
  kChmod,     // The resolved object.
  kChown,     // The resolved object.
  kTruncate,  // The resolved object, reopened for writing.
  kTimes,     // The resolved object's timestamps.
  // Calls that reveal more of a file than stat does.
  kChdir,        // Checked, then run by path (what it reveals is stat's).
  kStatfs,       // Answered from the resolved object's file system.
  kXattrRead,    // getxattr/listxattr: read by sysgate from the object.
  kXattrChange,  // setxattr/removexattr: done by sysgate on the object.
  kWatch,        // inotify_add_watch: added by sysgate on the object.
  // Socket calls whose address may be a file (an AF_UNIX path), performed
  // by sysgate on the program's own socket (pidfd_getfd) with the address
  // it read, whatever the family: the kernel never reads it again.
  kBind,          // The name created in its resolved directory.
  kConnect,       // To the resolved socket file.
  kSendTo,        // sendto with an address (none: the kernel's own).
  kSendMessages,  // sendmsg, sendmmsg: every message read once.
  // i386's socketcall: its arguments, in memory, read once; its bind,
  // connect, sendto, sendmsg and sendmmsg then served as those calls.
  kSocketCall,
};

// Whether a ptrace stop hands the call to the notification server's thread
// rather than serving it itself: only that thread installs descriptors in
// the caller, and creates files with the caller's umask (it has a file
// system context of its own, CLONE_FS).
bool ServedOnNotifyThread(BrokerOp op);

// How a call passes the times it sets (utime, utimes, utimensat).
enum class TimesLayout : uint8_t {
  kNone,
  kUtimbuf,     // struct utimbuf: two seconds, in ABI words.
  kTimeval,     // struct timeval[2], in ABI words.
  kTimespec,    // struct timespec[2], in ABI words.
  kTimespec64,  // struct __kernel_timespec[2]: 64-bit on every ABI.
};

inline constexpr int8_t kNoArg = -1;

// A path operand: the argument holding the path, and the one holding the
// directory fd it is relative to (kNoArg: the caller's cwd, AT_FDCWD).
struct PathOperand {
  int8_t dirfd = kNoArg;
  int8_t path = kNoArg;
};

struct BrokeredCall {
  absl::string_view name;
  BrokerOp op = BrokerOp::kOpen;
  // Up to two paths (the second for rename- and link-like calls).
  std::array<PathOperand, 2> paths = {};
  // A struct sockaddr in memory (an AF_UNIX path), its length the argument
  // after it (connect- and bind-like calls).
  int8_t sockaddr = kNoArg;
  int8_t flags = kNoArg;          // O_* (open) or AT_* (the *at calls).
  uint64_t implied_flags = 0;     // What the call means without a flags
                                  // argument (creat's O_CREAT|O_WRONLY|O_TRUNC,
                                  // lstat's AT_SYMLINK_NOFOLLOW).
  int8_t mode = kNoArg;           // open's creation mode, access's R/W/X mode.
  int8_t how = kNoArg;            // openat2's struct open_how in memory.
  int8_t mask = kNoArg;           // statx's mask.
  int8_t held_fd = kNoArg;        // The descriptor an f* call changes (no path:
                                  // the object it names).
  int8_t through = kNoArg;        // The program's descriptor the call works
                                  // through (a socket, an inotify instance),
                                  // fetched with pidfd_getfd.
  int8_t data = kNoArg;           // What a send sends; its size the next
                                  // argument.
  int8_t messages = kNoArg;       // sendmsg's struct msghdr, or sendmmsg's
                                  // struct mmsghdr array.
  int8_t message_count = kNoArg;  // sendmmsg's vlen (none: one msghdr).
  int8_t text = kNoArg;           // A string read but never resolved
                                  // (symlink's target, an xattr's name).
  int8_t value = kNoArg;          // Bytes read from memory (setxattr's
                                  // value); their size the next argument.
  int8_t xattr_flags = kNoArg;    // setxattr's XATTR_CREATE/XATTR_REPLACE.
  int8_t xattr_args = kNoArg;     // The *xattrat forms' struct xattr_args
                                  // (value, size, flags) in memory; its
                                  // size the next argument.
  int8_t owner = kNoArg;          // chown's uid; its gid is the next argument.
  bool owner16_on_i386 = false;   // i386's chown and lchown take 16-bit ids.
  int8_t length = kNoArg;         // truncate's length.
  bool length_pair = false;       // In two words, low first (i386's
                                  // truncate64).
  int8_t times = kNoArg;          // The times a utime-like call sets.
  TimesLayout times_layout = TimesLayout::kNone;
  int8_t buffer = kNoArg;  // Where the answer is written.
  int8_t size = kNoArg;    // That buffer's (or open_how's) size.

  int path_count() const {
    return (paths[0].path != kNoArg) + (paths[1].path != kNoArg);
  }

  // Builders for the table (C++17 has no designated initializers).
  constexpr BrokeredCall Path(int8_t path) const { return At(kNoArg, path); }
  constexpr BrokeredCall At(int8_t dirfd, int8_t path) const {
    BrokeredCall c = *this;
    c.paths[c.paths[0].path == kNoArg ? 0 : 1] = {dirfd, path};
    return c;
  }
  constexpr BrokeredCall SockAddr(int8_t arg) const {
    BrokeredCall c = *this;
    c.sockaddr = arg;
    return c;
  }
  constexpr BrokeredCall Flags(int8_t arg, uint64_t implied = 0) const {
    BrokeredCall c = *this;
    c.flags = arg;
    c.implied_flags = implied;
    return c;
  }
  constexpr BrokeredCall Mode(int8_t arg) const {
    BrokeredCall c = *this;
    c.mode = arg;
    return c;
  }
  constexpr BrokeredCall How(int8_t arg, int8_t size_arg) const {
    BrokeredCall c = *this;
    c.how = arg;
    c.size = size_arg;
    return c;
  }
  constexpr BrokeredCall Mask(int8_t arg) const {
    BrokeredCall c = *this;
    c.mask = arg;
    return c;
  }
  constexpr BrokeredCall Fd(int8_t arg) const {
    BrokeredCall c = *this;
    c.held_fd = arg;
    return c;
  }
  constexpr BrokeredCall Through(int8_t arg) const {
    BrokeredCall c = *this;
    c.through = arg;
    return c;
  }
  constexpr BrokeredCall Data(int8_t arg) const {
    BrokeredCall c = *this;
    c.data = arg;
    return c;
  }
  constexpr BrokeredCall Messages(int8_t arg, int8_t count = kNoArg) const {
    BrokeredCall c = *this;
    c.messages = arg;
    c.message_count = count;
    return c;
  }
  constexpr BrokeredCall Text(int8_t arg) const {
    BrokeredCall c = *this;
    c.text = arg;
    return c;
  }
  constexpr BrokeredCall Value(int8_t arg, int8_t flags_arg) const {
    BrokeredCall c = *this;
    c.value = arg;
    c.xattr_flags = flags_arg;
    return c;
  }
  constexpr BrokeredCall XattrArgs(int8_t arg) const {
    BrokeredCall c = *this;
    c.xattr_args = arg;
    return c;
  }
  constexpr BrokeredCall Owner(int8_t arg, bool ids16_on_i386 = false) const {
    BrokeredCall c = *this;
    c.owner = arg;
    c.owner16_on_i386 = ids16_on_i386;
    return c;
  }
  constexpr BrokeredCall Length(int8_t arg, bool pair = false) const {
    BrokeredCall c = *this;
    c.length = arg;
    c.length_pair = pair;
    return c;
  }
  constexpr BrokeredCall Times(int8_t arg, TimesLayout layout) const {
    BrokeredCall c = *this;
    c.times = arg;
    c.times_layout = layout;
    return c;
  }
  constexpr BrokeredCall Buffer(int8_t arg, int8_t size_arg = kNoArg) const {
    BrokeredCall c = *this;
    c.buffer = arg;
    c.size = size_arg;
    return c;
  }
};

// Whether an xattr row sets a value (setxattr) rather than removing one.
constexpr bool SetsXattr(const BrokeredCall& call) {
  return call.value != kNoArg || call.xattr_args != kNoArg;
}

// Whether the row is one of the *xattrat forms, which kernels before 6.13
// do not have (ENOSYS there, as natively: sysgate would otherwise perform
// them with the older calls).
inline bool IsXattrAtForm(const BrokeredCall& call) {
  return absl::EndsWith(call.name, "xattrat");
}

constexpr BrokeredCall Brokered(absl::string_view name, BrokerOp op) {
  BrokeredCall c;
  c.name = name;
  c.op = op;
  return c;
}

absl::Span<const BrokeredCall> BrokeredCalls();
// The row for a call name, or null when the broker does not serve it.
const BrokeredCall* FindBrokeredCall(absl::string_view name);

// The call's arguments by role: "openat(dirfd, path, flags, mode)".
std::string DescribeOperands(const BrokeredCall& call);

// README's table of brokered calls, from the table: one row per
// operation, its calls with their operands, and what each needs.
std::string BrokeredCallsMarkdown();

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_ENGINE_BROKERED_CALLS_H_
