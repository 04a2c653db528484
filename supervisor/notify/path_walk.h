// Path resolution done one component at a time, as the calling process's
// own lookup would do it, for the paths the kernel cannot resolve for
// sysgate: those with a symlink on the way. The kernel reads
// /proc/self and /proc/thread-self for `current` (proc_self_get_link),
// which is sysgate's thread when sysgate resolves, so every symlink that
// leads into them (/dev/stdin, /dev/fd/N, /proc/mounts, /proc/net) would
// mean sysgate. Here "self" and "thread-self" in the proc root are the
// caller's ids, ordinary symlinks are spliced into the rest of the path
// (absolute ones restart at the caller's root), and the caller's own
// /proc magic links (/proc/PID/fd/N, cwd, root, exe...) are followed to
// their very object, as the kernel follows them; another process's are
// refused. ".." never climbs above the caller's root.
#ifndef SYSGATE_SUPERVISOR_NOTIFY_PATH_WALK_H_
#define SYSGATE_SUPERVISOR_NOTIFY_PATH_WALK_H_

#include <sys/types.h>

#include <string>

#include "supervisor/notify/path_resolver.h"

namespace sysgate {

struct Walked {
  int error = 0;     // The directory part failed with this.
  ScopedFd dir;      // O_PATH of the last component's directory.
  std::string last;  // The last component, after every symlink.
  ScopedFd object;   // O_PATH of the object, or -1 (object_error).
  int object_error = 0;
  // The object was reached through a magic link in the caller's own
  // /proc/TGID/fd or /proc/TGID/task/TID/fd: one of its descriptors.
  bool through_own_fd = false;
  // Then: the access mode that descriptor holds (O_ACCMODE), -1 unknown.
  int own_fd_access = -1;
  // Set (with object_error EACCES) where the walk stopped at what no grant
  // may reach: another process's magic links.
  std::string refused;
};

// `root`: the caller's root (O_PATH); `start`: where a relative `path`
// starts (its cwd or dirfd, or the root for an absolute one).
// `follow_last`: whether a final symlink is followed.
Walked WalkAsCaller(pid_t tid, int root, int start, const std::string& path,
                    bool follow_last);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_PATH_WALK_H_
