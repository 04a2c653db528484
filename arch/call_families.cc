#include "arch/call_families.h"

namespace sysgate {

absl::Span<const CallFamily> CallFamilies() {
  static const auto* families = new std::vector<CallFamily>{
      {"open", {"open", "openat", "openat2", "creat"}},
      {"stat",
       {"stat", "lstat", "fstat", "newfstatat", "statx", "stat64", "lstat64",
        "fstat64", "fstatat64", "oldstat", "oldlstat", "oldfstat"}},
      {"statfs", {"statfs", "fstatfs", "statfs64", "fstatfs64"}},
      {"exec", {"execve", "execveat"}},
      {"access", {"access", "faccessat", "faccessat2"}},
      {"readlink", {"readlink", "readlinkat"}},
      {"unlink", {"unlink", "unlinkat", "rmdir"}},
      {"mkdir", {"mkdir", "mkdirat"}},
      {"mknod", {"mknod", "mknodat"}},
      {"rename", {"rename", "renameat", "renameat2"}},
      {"link", {"link", "linkat"}},
      {"symlink", {"symlink", "symlinkat"}},
      {"chmod", {"chmod", "fchmod", "fchmodat", "fchmodat2"}},
      {"chown",
       {"chown", "lchown", "fchown", "fchownat", "chown32", "lchown32",
        "fchown32"}},
      {"utime",
       {"utime", "utimes", "futimesat", "utimensat", "utimensat_time64"}},
      {"truncate", {"truncate", "ftruncate", "truncate64", "ftruncate64"}},
      {"setxattr", {"setxattr", "lsetxattr", "fsetxattr", "setxattrat"}},
      {"getxattr", {"getxattr", "lgetxattr", "fgetxattr", "getxattrat"}},
      {"listxattr", {"listxattr", "llistxattr", "flistxattr", "listxattrat"}},
      {"removexattr",
       {"removexattr", "lremovexattr", "fremovexattr", "removexattrat"}},
      {"clone", {"clone", "clone3", "fork", "vfork"}},
      {"kill",
       {"kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
        "pidfd_send_signal"}},
      {"dup", {"dup", "dup2", "dup3"}},
      {"pipe", {"pipe", "pipe2"}},
      {"mmap", {"mmap", "mmap2"}},
      {"wait", {"wait4", "waitid", "waitpid"}},
      {"poll",
       {"select", "_newselect", "pselect6", "pselect6_time64", "poll", "ppoll",
        "ppoll_time64"}},
      {"epoll_wait", {"epoll_wait", "epoll_pwait", "epoll_pwait2"}},
      {"eventfd", {"eventfd", "eventfd2"}},
      {"signalfd", {"signalfd", "signalfd4"}},
      {"inotify_init", {"inotify_init", "inotify_init1"}},
      {"getdents", {"getdents", "getdents64"}},
      {"accept", {"accept", "accept4"}},
      {"sendfile", {"sendfile", "sendfile64"}},
      {"fcntl", {"fcntl", "fcntl64"}},
      {"setrlimit", {"setrlimit", "prlimit64"}},
      {"setuid", {"setuid", "setuid32"}},
      {"setgid", {"setgid", "setgid32"}},
      {"setreuid", {"setreuid", "setreuid32"}},
      {"setregid", {"setregid", "setregid32"}},
      {"setresuid", {"setresuid", "setresuid32"}},
      {"setresgid", {"setresgid", "setresgid32"}},
      {"setgroups", {"setgroups", "setgroups32"}},
      {"mount",
       {"mount", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
        "open_tree", "mount_setattr"}},
      {"umount", {"umount", "umount2"}},
      {"futex", {"futex", "futex_time64", "futex_waitv"}},
      {"io_uring", {"io_uring_setup", "io_uring_enter", "io_uring_register"}},
      {"process_vm", {"process_vm_readv", "process_vm_writev"}},
      {"settime",
       {"settimeofday", "clock_settime", "clock_settime64", "clock_adjtime",
        "clock_adjtime64", "adjtimex", "stime"}},
  };
  return *families;
}

const CallFamily* FindCallFamily(absl::string_view name) {
  for (const CallFamily& f : CallFamilies()) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

}  // namespace sysgate
