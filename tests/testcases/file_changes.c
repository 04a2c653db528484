// Calls that change files, each made raw (so a 32-bit build makes the
// i386 call itself) and printed as "what = result": the attempts of a
// program confined by `broker` rules to change or reach files outside its
// grants, and the same calls inside them.
//
//   file_changes CALL ARGS...   one call (see main)
//   file_changes flip-empty HELD FORBIDDEN
//       fstatat(fd of HELD, buf, AT_EMPTY_PATH) while a second thread
//       flips buf between "" and FORBIDDEN: prints how often the call
//       succeeded on anything but HELD (it must never)
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fanotify.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/testcases/testcase.h"

static long raw5(long nr, long a, long b, long c, long d, long e) {
  long r = syscall(nr, a, b, c, d, e);
  return r < 0 ? -errno : r;
}

static long raw6(long nr, long a, long b, long c, long d, long e, long f) {
  long r = syscall(nr, a, b, c, d, e, f);
  return r < 0 ? -errno : r;
}

// The *xattrat calls (Linux 6.13, the same numbers on every ABI) and their
// struct xattr_args, whose value is a 64-bit word on every ABI.
enum {
  kSetxattrat = 463,
  kGetxattrat = 464,
  kListxattrat = 465,
  kRemovexattrat = 466
};
struct xattr_args_v0 {
  uint64_t value;
  uint32_t size;
  uint32_t flags;
};

// setxattrat(AT_FDCWD, PATH, AT_FLAGS, "user.sysgate", {VALUE}, USIZE), or
// with AT_EMPTY_PATH (0x1000) on a descriptor PATH opened to read.
static long set_xattr_at(const char* path, const char* value, long at_flags,
                         long usize) {
  unsigned char args[64] = {0};
  struct xattr_args_v0 v0 = {(uintptr_t)value, (uint32_t)strlen(value), 0};
  memcpy(args, &v0, sizeof(v0));
  if (usize > (long)sizeof(v0)) args[usize - 1] = 1;  // A non-zero tail.
  if (usize > (long)sizeof(args)) usize = sizeof(args);
  if (at_flags & AT_EMPTY_PATH) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -errno;
    return raw6(kSetxattrat, fd, (long)"", at_flags, (long)"user.sysgate",
                (long)args, usize);
  }
  return raw6(kSetxattrat, AT_FDCWD, (long)path, at_flags, (long)"user.sysgate",
              (long)args, usize);
}

// The stat family's own call on this ABI: i386 has stat64, 64-bit ABIs
// newfstatat. Prints the size seen.
static void print_stat(const char* what, int dirfd, const char* path,
                       int flags) {
#ifdef SYS_fstatat64
  struct stat64 st;
  long r = raw5(SYS_fstatat64, dirfd, (long)path, (long)&st, flags, 0);
#else
  struct stat st;
  long r = raw5(SYS_newfstatat, dirfd, (long)path, (long)&st, flags, 0);
#endif
  if (r < 0) {
    print_result(what, r);
  } else {
    printf("%s = 0 size %lld\n", what, (long long)st.st_size);
  }
}

static volatile int flipping = 1;
static char flip_buf[4096];
static const char* flip_forbidden;

static void* flip(void* arg) {
  (void)arg;
  while (flipping) {
    strcpy(flip_buf, flip_forbidden);
    flip_buf[0] = '\0';
  }
  return NULL;
}

static int flip_empty(const char* held, const char* forbidden) {
  int fd = open(held, O_RDONLY);
  struct stat want, seen;
  if (fd < 0 || fstat(fd, &want) != 0) {
    printf("setup = -1 %s\n", strerrorname_np(errno));
    return 1;
  }
  flip_forbidden = forbidden;
  pthread_t t;
  pthread_create(&t, NULL, flip, NULL);
  int leaked = 0,
      runs = atoi(getenv("FLIP_RUNS") ? getenv("FLIP_RUNS") : "2000");
  for (int i = 0; i < runs; ++i) {
    if (fstatat(fd, flip_buf, &seen, AT_EMPTY_PATH) == 0 &&
        seen.st_ino != want.st_ino)
      ++leaked;
  }
  flipping = 0;
  pthread_join(t, NULL);
  printf("leaked = %d\n", leaked);
  return 0;
}

// A pathname address for A, from A's directory (the caller's cwd, so that
// a long path fits sun_path), or for "DIR//NAME" NAME from DIR: its length.
static socklen_t unix_address(const char* a, struct sockaddr_un* addr) {
  memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  const char* split = strstr(a, "//");
  const char* slash = strrchr(a, '/');
  if (split != NULL) {
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", (int)(split - a), a);
    if (chdir(dir) != 0) exit(3);
    a = split + 2;
  } else if (slash != NULL) {
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - a), a);
    if (chdir(dir) != 0) exit(3);
    a = slash + 1;
  }
  strncpy(addr->sun_path, a, sizeof(addr->sun_path) - 1);
  return offsetof(struct sockaddr_un, sun_path) + strlen(a) + 1;
}

// A datagram to the socket at A: by sendto, by sendmsg with the sending
// socket itself passed along (SCM_RIGHTS), or two by sendmmsg.
static long send_unix(const char* how, const char* a) {
  struct sockaddr_un addr;
  socklen_t len = unix_address(a, &addr);
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (s < 0) return -errno;
  char data[] = "datagram";
  struct iovec iov = {data, sizeof(data) - 1};
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
  } control;
  struct msghdr msg = {&addr, len, &iov, 1, NULL, 0, 0};
  long r;
  if (!strcmp(how, "sendto-unix")) {
    r = sendto(s, data, iov.iov_len, 0, (struct sockaddr*)&addr, len);
  } else if (!strcmp(how, "sendmsg-unix")) {
    memset(&control, 0, sizeof(control));
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &s, sizeof(int));
    r = sendmsg(s, &msg, 0);
  } else {
    struct mmsghdr two[2] = {{msg, 0}, {msg, 0}};
    r = sendmmsg(s, two, 2, 0);
    if (r == 2 &&
        (two[0].msg_len != iov.iov_len || two[1].msg_len != iov.iov_len))
      r = -EPROTO;  // The lengths were not written back.
  }
  return r < 0 ? -errno : r;
}

static void on_alarm(int signal) { (void)signal; }

// A blocking datagram send to the socket at A, which never reads, once
// its queue is full: a signal (alarm, no SA_RESTART) must end it (EINTR),
// as natively. With "null" as B instead: sendto on a socket connected to
// A with a null address and a length, which means no address.
static long blocked_send(const char* a, const char* how) {
  struct sockaddr_un addr;
  socklen_t len = unix_address(a, &addr);
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (s < 0 || connect(s, (struct sockaddr*)&addr, len) != 0) return -errno;
  if (!strcmp(how, "null")) {
    long r = sendto(s, "datagram", 8, 0, NULL, 16);
    return r < 0 ? -errno : r;
  }
  while (send(s, "x", 1, MSG_DONTWAIT) == 1) {
  }
  if (errno != EAGAIN) return -errno;
  struct sigaction act;
  memset(&act, 0, sizeof(act));
  act.sa_handler = on_alarm;
  sigaction(SIGALRM, &act, NULL);
  alarm(1);
  long r = sendto(s, "x", 1, 0, (struct sockaddr*)&addr, len);
  return r < 0 ? -errno : r;
}

static volatile int racing = 1;
static struct sockaddr_un race_addr;
static char race_good[108], race_bad[108];

static void* swap_address(void* arg) {
  (void)arg;
  while (racing) {
    memcpy(race_addr.sun_path, race_bad, sizeof(race_bad));
    memcpy(race_addr.sun_path, race_good, sizeof(race_good));
  }
  return NULL;
}

// Datagrams to GOOD (granted) while a second thread swaps the address's
// path between GOOD and BAD (a socket outside every grant, relative to
// GOOD's directory): whatever the kernel or sysgate reads, BAD must get
// nothing. The receiver at BAD, the test's, checks that; this prints how many
// were sent.
static int race_send(const char* good, const char* bad) {
  struct sockaddr_un first;
  unix_address(good, &first);  // Into GOOD's directory; BAD is relative.
  race_addr.sun_family = AF_UNIX;
  snprintf(race_good, sizeof(race_good), "%s", first.sun_path);
  snprintf(race_bad, sizeof(race_bad), "%s", bad);
  memcpy(race_addr.sun_path, race_good, sizeof(race_good));
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
  pthread_t t;
  pthread_create(&t, NULL, swap_address, NULL);
  int sent = 0;
  for (int i = 0; i < 2000; ++i) {
    if (sendto(s, "x", 1, MSG_DONTWAIT, (struct sockaddr*)&race_addr,
               sizeof(race_addr)) == 1)
      ++sent;
  }
  racing = 0;
  pthread_join(t, NULL);
  printf("sent = %s\n", sent > 0 ? "some" : "none");
  return 0;
}

#ifdef SYS_socketcall
static volatile long race_block[6];
static volatile long race_addr_value;

static void* swap_block_address(void* arg) {
  (void)arg;
  while (racing) {  // As long in each state.
    race_block[4] = race_addr_value;
    for (volatile int k = 0; k < 200; ++k) {
    }
    race_block[4] = 0;
    for (volatile int k = 0; k < 200; ++k) {
    }
  }
  return NULL;
}

// i386: socketcall(SYS_SENDTO) on a socket connected to GOOD, its
// arguments in memory, while a second thread swaps the address argument
// between none (to GOOD) and BAD's: BAD must get nothing.
static int race_socketcall(const char* good, const char* bad) {
  struct sockaddr_un to_good, to_bad;
  socklen_t len = unix_address(good, &to_good);
  memset(&to_bad, 0, sizeof(to_bad));
  to_bad.sun_family = AF_UNIX;
  snprintf(to_bad.sun_path, sizeof(to_bad.sun_path), "%s", bad);
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (connect(s, (struct sockaddr*)&to_good, len) != 0) {
    printf("connect = -1 %s\n", strerrorname_np(errno));
    return 1;
  }
  static char x = 'x';
  race_block[0] = s;
  race_block[1] = (long)&x;
  race_block[2] = 1;
  race_block[3] = MSG_DONTWAIT;
  race_block[5] = sizeof(to_bad);
  race_addr_value = (long)&to_bad;
  pthread_t t;
  pthread_create(&t, NULL, swap_block_address, NULL);
  int sent = 0;
  for (int i = 0; i < 2000; ++i) {
    if (syscall(SYS_socketcall, 11 /* SYS_SENDTO */, race_block) == 1) ++sent;
  }
  racing = 0;
  pthread_join(t, NULL);
  printf("sent = %s\n", sent > 0 ? "some" : "none");
  return 0;
}
#endif

// O_PATH opens of PATH (with O_NOFOLLOW when asked): the type fstat sees.
static void open_path(const char* path, int extra) {
  int fd = openat(AT_FDCWD, path, O_PATH | extra);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    printf("open-path = -1 %s\n", strerrorname_np(errno));
    return;
  }
  printf("open-path = %s\n", S_ISDIR(st.st_mode)   ? "directory"
                             : S_ISREG(st.st_mode) ? "file"
                                                   : "other");
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const char* call = argv[1];
  const char* a = argc > 2 ? argv[2] : "";
  const char* b = argc > 3 ? argv[3] : "";
  long r;
  if (!strcmp(call, "unlink")) {
    r = raw(SYS_unlinkat, AT_FDCWD, (long)a, 0);
  } else if (!strcmp(call, "rmdir")) {
    r = raw(SYS_unlinkat, AT_FDCWD, (long)a, AT_REMOVEDIR);
  } else if (!strcmp(call, "mkdir")) {
    r = raw(SYS_mkdirat, AT_FDCWD, (long)a, 0755);
  } else if (!strcmp(call, "chmod")) {
    r = raw(SYS_fchmodat, AT_FDCWD, (long)a, strtol(b, NULL, 8));
  } else if (!strcmp(call, "chown")) {  // To its own ids: only the check.
    r = raw5(SYS_fchownat, AT_FDCWD, (long)a, getuid(), getgid(), 0);
  } else if (!strcmp(call, "utime")) {  // Back to the epoch.
    struct timespec ts[2] = {{0, 0}, {0, 0}};
    r = raw5(SYS_utimensat, AT_FDCWD, (long)a, (long)ts, 0, 0);
  } else if (!strcmp(call, "truncate")) {
    r = raw(SYS_truncate, (long)a, atol(b), 0);
  } else if (!strcmp(call, "symlink")) {
    r = raw(SYS_symlinkat, (long)a, AT_FDCWD, (long)b);
  } else if (!strcmp(call, "rename")) {
    r = raw5(SYS_renameat2, AT_FDCWD, (long)a, AT_FDCWD, (long)b, 0);
  } else if (!strcmp(call, "exchange")) {
    r = raw5(SYS_renameat2, AT_FDCWD, (long)a, AT_FDCWD, (long)b,
             1 << 1 /* RENAME_EXCHANGE */);
  } else if (!strcmp(call, "whiteout")) {  // Leaves a 0:0 device at A.
    r = raw5(SYS_renameat2, AT_FDCWD, (long)a, AT_FDCWD, (long)b,
             1 << 2 /* RENAME_WHITEOUT */);
  } else if (!strcmp(call, "link")) {
    r = raw5(SYS_linkat, AT_FDCWD, (long)a, AT_FDCWD, (long)b, 0);
  } else if (!strcmp(call, "mknod-kmsg")) {
    r = raw5(SYS_mknodat, AT_FDCWD, (long)a, S_IFCHR | 0600, makedev(1, 11), 0);
  } else if (!strcmp(call, "mkfifo")) {
    r = raw5(SYS_mknodat, AT_FDCWD, (long)a, S_IFIFO | 0666, 0, 0);
  } else if (!strcmp(call, "stat")) {
    print_stat("stat", AT_FDCWD, a, 0);
    return 0;
  } else if (!strcmp(call, "lstat")) {
    print_stat("lstat", AT_FDCWD, a, AT_SYMLINK_NOFOLLOW);
    return 0;
  } else if (!strcmp(call, "openat2-beneath")) {  // B from directory A.
    struct open_how how = {O_RDONLY, 0, RESOLVE_BENEATH};
    int dir = open(a, O_RDONLY | O_DIRECTORY);
    r = dir < 0 ? -errno
                : raw5(SYS_openat2, dir, (long)b, (long)&how, sizeof(how), 0);
  } else if (!strcmp(call, "stat-held")) {  // The AT_EMPTY_PATH form.
    int fd = open(a, O_RDONLY);
    print_stat("stat-held", fd, "", AT_EMPTY_PATH);
    return 0;
  } else if (!strcmp(call, "open-path")) {
    open_path(a, 0);
    return 0;
  } else if (!strcmp(call, "open-path-nofollow")) {
    open_path(a, O_NOFOLLOW);
    return 0;
  } else if (!strcmp(call, "fchmod")) {  // On a descriptor opened to read.
    int fd = open(a, O_RDONLY);
    r = fd < 0 ? -errno : raw(SYS_fchmod, fd, strtol(b, NULL, 8), 0);
  } else if (!strcmp(call, "futimens")) {  // Likewise, back to the epoch.
    int fd = open(a, O_RDONLY);
    struct timespec ts[2] = {{0, 0}, {0, 0}};
    r = fd < 0 ? -errno : raw5(SYS_utimensat, fd, 0, (long)ts, 0, 0);
  } else if (!strcmp(call, "setxattr")) {  // user.sysgate = B, flags C.
    const char* c = argc > 4 ? argv[4] : "0";
    r = raw5(SYS_setxattr, (long)a, (long)"user.sysgate", (long)b, strlen(b),
             atol(c));
  } else if (!strcmp(call, "lsetxattr")) {
    r = raw5(SYS_lsetxattr, (long)a, (long)"user.sysgate", (long)b, strlen(b),
             0);
  } else if (!strcmp(call, "fsetxattr")) {  // On a descriptor opened to read.
    int fd = open(a, O_RDONLY);
    r = fd < 0 ? -errno
               : raw5(SYS_fsetxattr, fd, (long)"user.sysgate", (long)b,
                      strlen(b), 0);
  } else if (!strcmp(call, "removexattr")) {
    r = raw(SYS_removexattr, (long)a, (long)"user.sysgate", 0);
  } else if (!strcmp(call, "fremovexattr")) {
    int fd = open(a, O_RDONLY);
    r = fd < 0 ? -errno : raw(SYS_fremovexattr, fd, (long)"user.sysgate", 0);
  } else if (!strcmp(call, "setxattrat")) {  // Value B, at_flags C, size D.
    r = set_xattr_at(a, b, argc > 4 ? strtol(argv[4], NULL, 0) : 0,
                     argc > 5 ? atol(argv[5]) : 16);
  } else if (!strcmp(call, "getxattrat")) {  // Prints user.sysgate's value.
    char value[64] = "";
    struct xattr_args_v0 args = {(uintptr_t)value, sizeof(value) - 1, 0};
    r = raw6(kGetxattrat, AT_FDCWD, (long)a, 0, (long)"user.sysgate",
             (long)&args, sizeof(args));
    if (r >= 0) value[r] = 0;
    printf("getxattrat value = %s\n", r >= 0 ? value : "");
  } else if (!strcmp(call, "listxattrat")) {
    char list[256];
    r = raw5(kListxattrat, AT_FDCWD, (long)a, 0, (long)list, sizeof(list));
  } else if (!strcmp(call, "removexattrat")) {
    r = raw5(kRemovexattrat, AT_FDCWD, (long)a, 0, (long)"user.sysgate", 0);
  } else if (!strcmp(call, "setxattr-huge")) {  // Above XATTR_SIZE_MAX.
    r = raw5(SYS_setxattr, (long)a, (long)"user.sysgate", (long)"", 65537, 0);
  } else if (!strcmp(call, "open_tree_attr")) {  // 467 on every ABI (6.15).
    r = raw5(467, AT_FDCWD, (long)a, 1 /* OPEN_TREE_CLONE */, 0, 0);
  } else if (!strcmp(call, "stat-cwd")) {  // fstatat(AT_FDCWD, "", ...).
    print_stat("stat-cwd", AT_FDCWD, "", AT_EMPTY_PATH);
    return 0;
  } else if (!strcmp(call, "flip-empty")) {
    return flip_empty(a, b);
  } else if (!strcmp(call, "io_uring_setup")) {
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    r = raw(SYS_io_uring_setup, 4, (long)&p, 0);
  } else if (!strcmp(call, "unshare-mount")) {  // A mount namespace made...
    r = raw(SYS_unshare, CLONE_NEWNS, 0, 0);
  } else if (!strcmp(call, "clone-mount")) {  // ...by a child's clone...
    r = raw(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0);
    if (r == 0) _exit(0);
    if (r > 0) r = waitpid((pid_t)r, NULL, 0) > 0 ? 0 : -errno;
  } else if (!strcmp(call, "setns")) {  // ...or entered: setns(pidfd, A).
    long pidfd = raw(SYS_pidfd_open, getpid(), 0, 0);
    r = pidfd < 0 ? pidfd : raw(SYS_setns, pidfd, strtol(a, NULL, 0), 0);
  } else if (!strcmp(call, "userfaultfd")) {
    r = raw(SYS_userfaultfd, O_CLOEXEC, 0, 0);
  } else if (!strcmp(call, "fanotify_init")) {
    r = raw(SYS_fanotify_init, FAN_CLASS_NOTIF, O_RDWR, 0);
  } else if (!strcmp(call, "read")) {  // Opens A, prints the bytes read.
    char buf[256];
    int fd = open(a, O_RDONLY);
    r = fd < 0 ? -errno : read(fd, buf, sizeof(buf));
    if (r < 0 && fd >= 0) r = -errno;
  } else if (!strcmp(call, "write")) {  // Creates or truncates A.
    int fd = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    r = fd < 0 ? -errno : write(fd, "written\n", 8);
    if (r < 0 && fd >= 0) r = -errno;
  } else if (!strcmp(call, "bind-unix")) {  // A pathname socket at A.
    struct sockaddr_un addr;
    socklen_t len = unix_address(a, &addr);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    r = s < 0 ? -errno : bind(s, (struct sockaddr*)&addr, len);
    if (r < 0) r = -errno;
  } else if (!strcmp(call, "connect-abstract")) {  // To the abstract name A.
    struct sockaddr_un addr = {AF_UNIX, {0}};
    strncpy(addr.sun_path + 1, a, sizeof(addr.sun_path) - 2);
    socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    r = s < 0 ? -errno : connect(s, (struct sockaddr*)&addr, len);
    if (r < 0) r = -errno;
  } else if (!strcmp(call, "connect-unix")) {  // To the stream socket at A.
    struct sockaddr_un addr;
    socklen_t len = unix_address(a, &addr);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    r = s < 0 ? -errno : connect(s, (struct sockaddr*)&addr, len);
    if (r < 0) r = -errno;
  } else if (!strcmp(call, "sendto-unix") || !strcmp(call, "sendmsg-unix") ||
             !strcmp(call, "sendmmsg-unix")) {
    r = send_unix(call, a);
  } else if (!strcmp(call, "blocked-send")) {  // A, "alarm" or "null".
    r = blocked_send(a, b);
  } else if (!strcmp(call, "race-send")) {  // GOOD BAD, in the cwd.
    return race_send(a, b);
#ifdef SYS_socketcall
  } else if (!strcmp(call, "race-socketcall")) {  // The same, i386's way.
    return race_socketcall(a, b);
#endif
  } else if (!strcmp(call, "setflags")) {
    // FS_IOC_SETFLAGS (append-only: an owner's change) on A opened for
    // reading, the request's upper half B (1: junk the kernel ignores).
    int fd = open(a, O_RDONLY);
    int flags = 0x20;  // FS_APPEND_FL.
#if __SIZEOF_LONG__ == 8
    unsigned long request = 0x40086602ul | (atoi(b) == 1 ? 1ul << 32 : 0);
#else
    unsigned long request = 0x40046602ul;  // FS_IOC32_SETFLAGS.
#endif
    r = fd < 0 ? -errno : raw(SYS_ioctl, fd, (long)request, (long)&flags);
#ifdef SYS_oldstat
  } else if (!strcmp(call, "oldstat") || !strcmp(call, "oldlstat")) {
    char buf[256];  // struct __old_kernel_stat, and room.
    r = raw(call[3] == 'l' ? SYS_oldlstat : SYS_oldstat, (long)a, (long)buf, 0);
#endif
  } else if (!strcmp(call, "inotify")) {  // A watch on A.
    int in = inotify_init1(IN_CLOEXEC);
    r = in < 0 ? -errno : inotify_add_watch(in, a, IN_ALL_EVENTS);
    if (r < 0) r = -errno;
  } else if (!strcmp(call, "statfs")) {  // Prints f_type and f_bsize.
    struct statfs fs;
    r = raw(SYS_statfs, (long)a, (long)&fs, 0);
    if (r == 0) {
      printf("statfs = 0 type %lx bsize %ld\n", (long)fs.f_type,
             (long)fs.f_bsize);
      return 0;
    }
#ifdef SYS_statfs64
  } else if (!strcmp(call, "statfs64")) {  // i386's own.
    struct statfs64 fs;
    r = raw(SYS_statfs64, (long)a, sizeof(fs), (long)&fs);
    if (r == 0) {
      printf("statfs64 = 0 type %lx bsize %ld\n", (long)fs.f_type,
             (long)fs.f_bsize);
      return 0;
    }
#endif
  } else if (!strcmp(call, "chdir")) {  // And a relative open from there.
    r = raw(SYS_chdir, (long)a, 0, 0);
    if (r == 0 && argc > 3) {
      int fd = open(b, O_RDONLY);
      printf("open-relative = %s\n", fd >= 0 ? "ok" : strerrorname_np(errno));
    }
  } else if (!strcmp(call, "getxattr")) {  // Prints the value of user.B.
    char value[64] = {0}, name[64];
    snprintf(name, sizeof(name), "user.%s", b);
    r = raw5(SYS_getxattr, (long)a, (long)name, (long)value, sizeof(value) - 1,
             0);
    if (r > 0) {
      printf("getxattr = %ld %s\n", r, value);
      return 0;
    }
  } else if (!strcmp(call, "listxattr")) {
    char list[256];
    r = raw(SYS_listxattr, (long)a, (long)list, sizeof(list));
  } else if (!strcmp(call, "kill0")) {  // Whether PID A may be signalled.
    r = raw(SYS_kill, atol(a), 0, 0);
  } else if (!strcmp(call, "open_by_handle_at")) {
    unsigned char handle[sizeof(struct file_handle) + 128];
    memset(handle, 0, sizeof(handle));
    r = raw(SYS_open_by_handle_at, AT_FDCWD, (long)handle, O_RDONLY);
  } else {
    fprintf(stderr, "file_changes: unknown call %s\n", call);
    return 2;
  }
  print_result(call, r);
  return 0;
}
