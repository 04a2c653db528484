// A tracee for sysgate's end-to-end tests: each mode makes a known set of
// system calls and prints what the kernel (or sysgate) answered, one fact
// per line, so tests assert on real observed results.
// Built for x86-64 and, as calls32, with -m32.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/testcases/testcase.h"

// getuid/geteuid/getppid through raw syscalls (no libc caching).
static int mode_ids(void) {
  print_result("getuid", raw(SYS_getuid, 0, 0, 0));
  print_result("geteuid", raw(SYS_geteuid, 0, 0, 0));
  print_result("getppid", raw(SYS_getppid, 0, 0, 0) > 0 ? 1 : -1);
  return 0;
}

static int mode_open(const char* path, const char* how) {
  int flags = strcmp(how, "read") == 0    ? O_RDONLY
              : strcmp(how, "write") == 0 ? O_WRONLY | O_CREAT
                                          : O_RDWR;
  long fd = raw(SYS_openat, AT_FDCWD, (long)path, flags | O_CLOEXEC);
  print_result(how, fd < 0 ? fd : 0);
  return 0;
}

// chdir("/") N times: inject tests count invocations.
static int mode_chdir(int n) {
  for (int i = 1; i <= n; ++i) {
    char label[32];
    snprintf(label, sizeof(label), "chdir%d", i);
    print_result(label, raw(SYS_chdir, (long)"/", 0, 0));
  }
  return 0;
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig) { got_signal = sig; }

static int mode_signal_on_chdir(void) {
  signal(SIGUSR1, on_signal);
  print_result("chdir", raw(SYS_chdir, (long)"/", 0, 0));
  printf("signal = %s\n", got_signal ? strsignal(got_signal) : "none");
  return 0;
}

struct thread_arg {
  int calls;
  long expect;
  int good;
};

static void* thread_main(void* p) {
  struct thread_arg* a = p;
  // Sleep first, so the main thread always waits in pthread_join (a
  // futex wait): the set of calls a run makes is then the same every time.
  usleep(20000);
  for (int i = 0; i < a->calls; ++i) {
    if (raw(SYS_getuid, 0, 0, 0) == a->expect) a->good++;
  }
  return NULL;
}

// T threads x N getuid each; counts calls that saw `expect`.
static int mode_threads(int threads, int calls, long expect) {
  pthread_t tids[64];
  struct thread_arg args[64];
  for (int i = 0; i < threads; ++i) {
    args[i] = (struct thread_arg){calls, expect, 0};
    pthread_create(&tids[i], NULL, thread_main, &args[i]);
  }
  long good = 0;
  for (int i = 0; i < threads; ++i) {
    pthread_join(tids[i], NULL);
    good += args[i].good;
  }
  printf("good = %ld of %ld\n", good, (long)threads * calls);
  return 0;
}

// fork + exec of ourselves `depth` times; each level prints its getuid.
static int mode_chain(const char* self, int depth) {
  print_result("getuid", raw(SYS_getuid, 0, 0, 0));
  if (depth == 0) return 0;
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    char d[16];
    snprintf(d, sizeof(d), "%d", depth - 1);
    execl(self, self, "chain", d, (char*)NULL);
    _exit(99);
  }
  int status;
  waitpid(child, &status, 0);
  printf("child %d exit = %d\n", depth,
         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return 0;
}

// Installs a filter of our own returning TRACE for getppid and getuid.
static int mode_own_filter(void) {
  struct sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getuid, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 0x1234),
  };
  struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  print_result("install",
               raw(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog));
  print_result("getppid",
               raw(SYS_getppid, 0, 0, 0) > 0 ? 1 : raw(SYS_getppid, 0, 0, 0));
  print_result("getuid", raw(SYS_getuid, 0, 0, 0));
  return 0;
}

static int mode_stop_self(void) {
  printf("stopping\n");
  fflush(stdout);
  raise(SIGSTOP);
  printf("continued\n");
  return 0;
}

// Waits for a signal sent to sysgate and reports it through the exit code.
static int mode_wait_signal(const char* ready_file) {
  signal(SIGTERM, on_signal);
  signal(SIGHUP, on_signal);
  int fd = open(ready_file, O_WRONLY | O_CREAT, 0644);
  close(fd);
  for (int i = 0; i < 3000 && !got_signal; ++i) usleep(10000);
  printf("signal = %s\n", got_signal ? strsignal(got_signal) : "none");
  return got_signal ? 40 + got_signal : 1;
}

// Broker modes. open-show: open PATH with HOW (read, write, create,
// create-excl; "+cloexec" adds O_CLOEXEC) and print the fd, its
// close-on-exec flag and the first line read.
static int open_flags(const char* how) {
  int flags = O_RDONLY;
  if (!strncmp(how, "write", 5)) flags = O_WRONLY;
  if (!strncmp(how, "create", 6)) flags = O_RDWR | O_CREAT;
  if (!strncmp(how, "create-excl", 11)) flags |= O_EXCL;
  if (strstr(how, "+cloexec")) flags |= O_CLOEXEC;
  return flags;
}

static void show_fd(long fd) {
  if (fd < 0) {
    print_result("open", fd);
    return;
  }
  printf("fd = %ld\n", fd);
  printf("cloexec = %s\n",
         (fcntl((int)fd, F_GETFD) & FD_CLOEXEC) ? "yes" : "no");
  char buf[256] = {0};
  ssize_t n = read((int)fd, buf, sizeof(buf) - 1);
  if (n > 0) {
    buf[strcspn(buf, "\n")] = 0;
    printf("content = %s\n", buf);
  }
}

static int mode_open_show(const char* path, const char* how) {
  long fd = syscall(SYS_openat, AT_FDCWD, path, open_flags(how), 0640);
  show_fd(fd < 0 ? -errno : fd);
  return 0;
}

// The lowest free descriptor: close stdin, then open.
static int mode_lowest_fd(const char* path) {
  close(0);
  long fd = raw(SYS_openat, AT_FDCWD, (long)path, O_RDONLY);
  printf("fd = %ld\n", fd);
  return 0;
}

// Relative opens: against a directory fd, and after chdir.
static int mode_relative(const char* dir, const char* name) {
  long dfd = raw(SYS_openat, AT_FDCWD, (long)dir, O_RDONLY | O_DIRECTORY);
  printf("dirfd = %s\n", dfd >= 0 ? "ok" : strerrorname_np((int)-dfd));
  show_fd(raw(SYS_openat, dfd, (long)name, O_RDONLY));
  print_result("chdir", raw(SYS_chdir, (long)dir, 0, 0));
#ifdef SYS_open
  show_fd(raw(SYS_open, (long)name, O_RDONLY, 0));
#else  // arm64 has only openat: the relative path still resolves at the cwd
  show_fd(raw(SYS_openat, AT_FDCWD, (long)name, O_RDONLY));
#endif
  return 0;
}

// openat2 (with RESOLVE_NO_SYMLINKS, which the broker keeps) and creat.
static int mode_open_variants(const char* path, const char* created) {
  struct {
    unsigned long long flags, mode, resolve;
  } how = {O_RDONLY, 0, 0x04 /* RESOLVE_NO_SYMLINKS */};
  long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
  printf("openat2:\n");
  show_fd(fd < 0 ? -errno : fd);
#ifdef SYS_creat
  fd = syscall(SYS_creat, created, 0600);
  printf("creat:\n");
  show_fd(fd < 0 ? -errno : fd);
#endif
  return 0;
}

// Every way to read the wall clock, through libc (vDSO unless hidden).
static int mode_clocks(void) {
  struct timeval tv;
  struct timespec rt, mono;
  gettimeofday(&tv, NULL);
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  printf("time = %lld\n", (long long)time(NULL));
  printf("gettimeofday = %lld\n", (long long)tv.tv_sec);
  printf("realtime = %lld\n", (long long)rt.tv_sec);
  printf("monotonic = %lld\n", (long long)mono.tv_sec);
  return 0;
}

// The calls that reveal files: stat, access, readlink.
static int mode_reveal(const char* path) {
  struct stat st;
  if (stat(path, &st) == 0) {
    printf("stat = 0 size=%ld\n", (long)st.st_size);
  } else {
    printf("stat = -1 %s\n", strerrorname_np(errno));
  }
  print_result("access R_OK", access(path, R_OK) == 0 ? 0 : -errno);
  print_result("access W_OK", access(path, W_OK) == 0 ? 0 : -errno);
  char target[256] = {0};
  ssize_t n = readlink(path, target, sizeof(target) - 1);
  if (n >= 0) {
    printf("readlink = %s\n", target);
  } else {
    printf("readlink = -1 %s\n", strerrorname_np(errno));
  }
  return 0;
}

// The TOCTOU race: one thread flips a path buffer between an allowed and a
// forbidden file while this one opens it N times.
static char race_path[4096];
static const char* race_good;
static const char* race_bad;
static volatile int race_done;

static void* race_flipper(void* unused) {
  (void)unused;
  size_t good_len = strlen(race_good) + 1, bad_len = strlen(race_bad) + 1;
  while (!race_done) {
    memcpy(race_path, race_bad, bad_len);
    memcpy(race_path, race_good, good_len);
  }
  return NULL;
}

static int mode_race(const char* good, const char* bad, long n) {
  race_good = good;
  race_bad = bad;
  strcpy(race_path, good);
  pthread_t t;
  pthread_create(&t, NULL, race_flipper, NULL);
  long opened = 0, denied = 0, forbidden = 0;
  for (long i = 0; i < n; ++i) {
    long fd = raw(SYS_openat, AT_FDCWD, (long)race_path, O_RDONLY);
    if (fd < 0) {
      ++denied;
      continue;
    }
    ++opened;
    char buf[64] = {0};
    if (read((int)fd, buf, sizeof(buf) - 1) > 0 && strstr(buf, "FORBIDDEN"))
      ++forbidden;
    close((int)fd);
  }
  race_done = 1;
  pthread_join(t, NULL);
  printf("opened = %ld\ndenied = %ld\nforbidden = %ld\n", opened, denied,
         forbidden);
  return 0;
}

// A denied call three named frames deep, for stack-trace tests. noinline
// and the empty asm after each call keep every frame (no inlining, no tail
// calls).
__attribute__((noinline, noclone)) long level_three(const char* path) {
  long r = chdir(path);
  __asm__ volatile("" ::: "memory");
  return r;
}
__attribute__((noinline, noclone)) long level_two(const char* path) {
  long r = level_three(path);
  __asm__ volatile("" ::: "memory");
  return r;
}
__attribute__((noinline, noclone)) long level_one(const char* path) {
  long r = level_two(path);
  __asm__ volatile("" ::: "memory");
  return r;
}

static void* deep_thread(void* path) {
  level_one(path);
  return NULL;
}

static int mode_deep(const char* path, int in_thread) {
  if (in_thread) {
    pthread_t t;
    pthread_create(&t, NULL, deep_thread, (void*)path);
    pthread_join(t, NULL);
  } else {
    level_one(path);
  }
  printf("deep done\n");
  return 0;
}

#if defined(__x86_64__)
// i386 calls from a 64-bit process: the filter sees AUDIT_ARCH_I386.
static long int80(long nr) {
  long ret;
  // Arguments (ebx, ecx, edx) are zero: socketcall(0, NULL) is EINVAL.
  __asm__ volatile("int $0x80"
                   : "=a"(ret)
                   : "a"(nr), "b"(0L), "c"(0L), "d"(0L)
                   : "memory", "r8", "r9", "r10", "r11");
  return ret;
}

static int mode_int80(void) {
  print_result("i386 getuid", int80(24));
  print_result("i386 getpid", int80(20) == getpid() ? 1 : -1);
  // 102 is socketcall on i386 (getuid on x86-64); call 0 is invalid.
  print_result("i386 socketcall", int80(102));
  print_result("x86_64 getuid", raw(SYS_getuid, 0, 0, 0));
  return 0;
}

// Calls the vsyscall page's time() entry directly.
static int mode_vsyscall_time(void) {
  time_t (*vtime)(time_t*) = (time_t(*)(time_t*))0xffffffffff600400UL;
  time_t out = 7;
  time_t r = vtime(&out);
  printf("vsyscall time = %ld\n", (long)r);
  printf("stored = %s\n", out == 7 ? "untouched" : "written");
  return 0;
}
#endif

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) {
    fprintf(stderr, "usage: calls MODE [ARGS]\n");
    return 2;
  }
  const char* mode = argv[1];
  if (!strcmp(mode, "ids")) return mode_ids();
  if (!strcmp(mode, "open") && argc == 4) return mode_open(argv[2], argv[3]);
  if (!strcmp(mode, "chdir") && argc == 3) return mode_chdir(atoi(argv[2]));
  if (!strcmp(mode, "signal-on-chdir")) return mode_signal_on_chdir();
  if (!strcmp(mode, "threads") && argc == 5)
    return mode_threads(atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
  if (!strcmp(mode, "chain") && argc == 3)
    return mode_chain(argv[0], atoi(argv[2]));
  if (!strcmp(mode, "own-filter")) return mode_own_filter();
  if (!strcmp(mode, "stop-self")) return mode_stop_self();
  if (!strcmp(mode, "wait-signal") && argc == 3)
    return mode_wait_signal(argv[2]);
  if (!strcmp(mode, "exit") && argc == 3) return atoi(argv[2]);
  if (!strcmp(mode, "syscall") && argc == 3) {  // A raw call, no arguments.
    print_result(argv[2], raw(atol(argv[2]), 0, 0, 0));
    return 0;
  }
  if (!strcmp(mode, "deep") && argc == 3) return mode_deep(argv[2], 0);
  if (!strcmp(mode, "open-show") && argc == 4)
    return mode_open_show(argv[2], argv[3]);
  if (!strcmp(mode, "lowest-fd") && argc == 3) return mode_lowest_fd(argv[2]);
  if (!strcmp(mode, "reveal") && argc == 3) return mode_reveal(argv[2]);
  if (!strcmp(mode, "clocks")) return mode_clocks();
  if (!strcmp(mode, "open-variants") && argc == 4)
    return mode_open_variants(argv[2], argv[3]);
  if (!strcmp(mode, "relative") && argc == 4)
    return mode_relative(argv[2], argv[3]);
  if (!strcmp(mode, "race") && argc == 5)
    return mode_race(argv[2], argv[3], atol(argv[4]));
  if (!strcmp(mode, "deep-thread") && argc == 3) return mode_deep(argv[2], 1);
  if (!strcmp(mode, "kill-self") && argc == 3) {
    signal(atoi(argv[2]), SIG_DFL);
    raise(atoi(argv[2]));
    return 1;
  }
#if defined(__x86_64__)
  if (!strcmp(mode, "int80")) return mode_int80();
  if (!strcmp(mode, "vsyscall-time")) return mode_vsyscall_time();
#endif
  fprintf(stderr, "calls: unknown mode '%s'\n", mode);
  return 2;
}
