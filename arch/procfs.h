// Reading /proc: one place that knows its paths and formats. Every reader
// degrades to an empty value when the process or entry is gone (a tracee
// may die at any time); callers that must not fail open check for that.
#ifndef SYSGATE_ARCH_PROCFS_H_
#define SYSGATE_ARCH_PROCFS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace sysgate {

// One field of /proc/PID/status ("Tgid", "Umask", "CapEff", ...), the text
// after its colon, trimmed. `pid` 0 reads /proc/self/status.
std::string ProcStatusField(pid_t pid, absl::string_view field);

// Whether thread `tid` has a signal pending, its own or its process's,
// that would end a call it waits in (/proc/TID/status: SigPnd, ShdPnd,
// SigBlk, SigIgn, SigCgt): one it does not block, does not ignore, and
// either catches or would die of. The kernel discards an ignored signal
// when it is sent, except to a traced thread, which every thread of the
// program is: SIGCHLD, SIGURG and SIGWINCH at their default disposition
// (ignore, kernel/signal.c sig_kernel_ignore) and SIGCONT (which resumes)
// wait there without ending anything.
bool InterruptingSignalPending(pid_t tid);

// The same, and whether that signal stays for `tid` until its call
// returns: sent to the thread itself, or to a process of one thread. A
// signal sent to a process of several may be taken by another thread
// meanwhile (kernel/signal.c complete_signal, dequeue_signal).
enum class PendingInterrupt { kNone, kStaysForThread, kMayBeTaken };
PendingInterrupt InterruptingSignalOf(pid_t tid);

// ERESTARTSYS (include/linux/errno.h), kernel-internal: a call returning
// it with a signal pending is restarted after the signal's handler where
// SA_RESTART says so (or with no handler at all), and fails with EINTR
// otherwise (arch/x86/kernel/signal.c handle_signal,
// arch/arm64/kernel/signal.c do_signal). Returned with no signal pending,
// it would reach the program as errno 512: only for kStaysForThread.
inline constexpr int kRestartSyscallErrno = 512;

// The thread group (process) a thread belongs to; `tid` itself when it is
// gone or unreadable.
pid_t ThreadGroupOf(pid_t tid);

// /proc/PID/ENTRY's whole text ("maps", "comm"; `pid` 0: self), and the
// target of a /proc/PID/ENTRY symlink ("exe", "fd/3").
std::string ReadProcText(pid_t pid, absl::string_view entry);
std::string ReadProcLink(pid_t pid, absl::string_view entry);

// The minor number of misc device `name` (major 10) in /proc/misc, whose
// minors are handed out at boot (MISC_DYNAMIC_MINOR): NotFound when this
// kernel has no such device, another error when /proc/misc is unreadable.
absl::StatusOr<int> MiscDeviceMinor(absl::string_view name);

// The access mode (O_RDONLY, O_WRONLY or O_RDWR) of descriptor `fd_name`
// of a process, read from "flags:" in the fdinfo beside its fd directory
// `fd_dir` (an O_PATH of /proc/PID/fd or /proc/PID/task/TID/fd); -1 when
// unreadable.
int HeldAccessMode(int fd_dir, absl::string_view fd_name);

// /proc/PID/personality: the execution domain and flags (personality(2))
// the process runs with, as the kernel set them at its exec.
absl::StatusOr<unsigned long> ReadPersonality(pid_t pid);

// The process's stack mapping ("[stack]" in /proc/PID/maps) when it is
// both writable and executable (an image whose PT_GNU_STACK asks for
// PF_X); nullopt when it is not.
struct MappedRange {
  uint64_t start;
  uint64_t end;
};
absl::StatusOr<absl::optional<MappedRange>> WritableExecutableStack(pid_t pid);

// The process's name (/proc/PID/comm without its newline).
std::string ProcessName(pid_t pid);

// Opens /proc/PID/ENTRY ("root", "cwd", "fd/N") with `flags`, which must
// include O_CLOEXEC: a descriptor of the caller's own view of that object
// (the broker resolves paths as the program would from these). -1 with
// errno on failure.
int OpenProcEntry(pid_t pid, absl::string_view entry, int flags);

// The path one of our own descriptors names (/proc/self/fd/N).
std::string PathOfFd(int fd);

// A new open file description of the very object one of our descriptors
// names (an O_PATH one, say), opened through /proc/self/fd/N with `flags`.
// -1 with errno on failure.
int ReopenFd(int fd, int flags);

// A file description of this process's own, for writing, of what `fd`
// refers to: nothing done to a description `fd` shares with another
// process (O_NONBLOCK or O_APPEND set by F_SETFL) then reaches our writes.
// Pipes, FIFOs and terminals are opened anew through /proc/self/fd/N
// (a new struct file; O_NOCTTY; opened O_NONBLOCK, which fifo_open turns
// into ENXIO where a blocking open would wait for a reader, then cleared).
// Regular files keep their shared description (O_NONBLOCK means nothing to
// them, and a second offset would overwrite the other writer's output),
// as does anything that cannot be reopened (sockets): a close-on-exec
// duplicate. -1 with errno.
int OpenOwnDescription(int fd);

}  // namespace sysgate

#endif  // SYSGATE_ARCH_PROCFS_H_
