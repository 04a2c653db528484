// A program that tries to get out from under its supervisor, one way per
// mode, and prints what happened, one fact per line. Each attempt is made
// for real; the tests assert that it failed and that sysgate said so.
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "tests/testcases/testcase.h"

#define X32_BIT 0x40000000L

// A sibling to aim at: a child that waits to be killed.
static pid_t spawn_sleeper(void) {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  return pid;
}

static void reap(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

static long tracer_of(pid_t pid) {
  char path[64], line[256];
  snprintf(path, sizeof(path), "/proc/%d/status", pid);
  FILE* f = fopen(path, "r");
  long tracer = -1;
  while (f && fgets(line, sizeof(line), f)) {
    if (sscanf(line, "TracerPid: %ld", &tracer) == 1) break;
  }
  if (f) fclose(f);
  return tracer;
}

static void print_sibling_tracer(pid_t sibling) {
  // sysgate (our parent) traces every process of the program.
  printf("sibling traced by sysgate only = %s\n",
         tracer_of(sibling) == getppid() ? "yes" : "no");
}

static long ptrace4(long request, pid_t pid) {
  long r = syscall(SYS_ptrace, request, pid, 0, 0);
  return r < 0 ? -errno : r;
}

// ptrace of a sibling, and PTRACE_TRACEME from a child.
static int mode_ptrace(void) {
  pid_t sibling = spawn_sleeper();
  print_result("attach sibling", ptrace4(PTRACE_ATTACH, sibling));
  print_result("seize sibling", ptrace4(PTRACE_SEIZE, sibling));
  print_sibling_tracer(sibling);
  reap(sibling);
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    print_result("traceme", ptrace4(PTRACE_TRACEME, 0));
    _exit(0);
  }
  waitpid(child, NULL, 0);
  return 0;
}

// process_vm_writev into a sibling's copy of `secret`.
static volatile int secret = 1;

static long vm_write(pid_t pid, int value) {
  struct iovec local = {&value, sizeof(value)};
  struct iovec remote = {(void*)&secret, sizeof(secret)};
  long r = syscall(SYS_process_vm_writev, pid, &local, 1, &remote, 1, 0);
  return r < 0 ? -errno : r;
}

static int mode_vm_write(void) {
  int go[2];
  if (pipe(go) != 0) return 1;
  fflush(stdout);
  pid_t sibling = fork();
  if (sibling == 0) {
    char c;
    (void)!read(go[0], &c, 1);
    printf("sibling secret = %d\n", secret);
    _exit(0);
  }
  print_result("process_vm_writev", vm_write(sibling, 2));
  fflush(stdout);
  (void)!write(go[1], "x", 1);
  waitpid(sibling, NULL, 0);
  return 0;
}

// prlimit64(PID) reading RLIMIT_NOFILE only.
static long read_limit(pid_t pid) {
  struct rlimit limit;
  long r = syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, NULL, &limit);
  return r < 0 ? -errno : r;
}

// A software event on PID (on CPU, or any when -1) sampling the user
// stack: with CAP_PERFMON or CAP_SYS_ADMIN the kernel skips its ptrace
// check, so root would read sysgate's stack from the ring buffer.
// PID is a long to pass junk in the upper half the kernel ignores.
static long perf_open(long pid, int cpu, unsigned long flags) {
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.sample_period = 100000;
  attr.sample_type = PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
  attr.sample_regs_user = 1;
  attr.sample_stack_user = 4096;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  long fd = syscall(SYS_perf_event_open, &attr, pid, cpu, -1, flags);
  if (fd < 0) return -errno;
  close((int)fd);
  return 0;
}

// Every call that reaches into process PID, each printed as "CALL WHO".
static void reach(pid_t pid, const char* who) {
  int value = 0;
  struct iovec local = {&value, sizeof(value)};
  struct iovec remote = {&value, sizeof(value)};
  char label[64];
  snprintf(label, sizeof(label), "seize %s", who);
  print_result(label, ptrace4(PTRACE_SEIZE, pid));
  long r = syscall(SYS_process_vm_readv, pid, &local, 1, &remote, 1, 0);
  snprintf(label, sizeof(label), "process_vm_readv %s", who);
  print_result(label, r < 0 ? -errno : r);
  r = syscall(SYS_process_vm_writev, pid, &local, 1, &remote, 1, 0);
  snprintf(label, sizeof(label), "process_vm_writev %s", who);
  print_result(label, r < 0 ? -errno : r);
  snprintf(label, sizeof(label), "pidfd_open %s", who);
  print_result(label, raw(SYS_pidfd_open, pid, 0, 0));
  // Only reading its limits; a lowered RLIMIT_NOFILE would leave sysgate
  // unable to read /proc.
  snprintf(label, sizeof(label), "prlimit64 %s", who);
  print_result(label, read_limit(pid));
  snprintf(label, sizeof(label), "perf_event_open %s", who);
  print_result(label, perf_open(pid, -1, 0));
}

// Everything that reaches into a process by pid, aimed at sysgate (our
// parent) and at each of its threads.
static int mode_reach_sysgate(void) {
  pid_t sysgate = getppid();
  reach(sysgate, "sysgate");
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/task", sysgate);
  DIR* tasks = opendir(path);
  int threads = 0, refused = 0;
  for (struct dirent* t; tasks && (t = readdir(tasks)) != NULL;) {
    pid_t tid = atoi(t->d_name);
    if (tid <= 0) continue;
    ++threads;
    refused += ptrace4(PTRACE_SEIZE, tid) == -EPERM &&
               read_limit(tid) == -EPERM && perf_open(tid, -1, 0) == -EPERM;
  }
  if (tasks) closedir(tasks);
  printf("sysgate threads refused = %d of %d\n", refused, threads);
  return 0;
}

// Events on every process of CPU 0, and of our cgroup (PERF_FLAG_PID_CGROUP,
// pid a descriptor of its directory): sysgate runs there too. Then one on
// ourselves, which sysgate leaves to the policy.
static int mode_perf_everyone(void) {
  print_result("perf cpu 0", perf_open(-1, 0, 0));
  print_result("perf cpu 0, junk upper half",
               perf_open(0x7fffffff00000000L | 0xffffffffL, 0, 0));
  int cgroup = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY);
  print_result("perf cgroup", perf_open(cgroup, 0, PERF_FLAG_PID_CGROUP));
  print_result("perf self", perf_open(0, -1, 0));
  return 0;
}

// prlimit64 and perf_event_open of a process outside the program (init)
// and of one inside it (a child, which sysgate traces).
static int mode_outside_the_program(void) {
  pid_t child = spawn_sleeper();
  print_result("prlimit64 init", read_limit(1));
  print_result("prlimit64 child", read_limit(child));
  print_result("perf_event_open init", perf_open(1, -1, 0));
  print_result("perf_event_open child", perf_open(child, -1, 0));
  reap(child);
  return 0;
}

// Every call that reaches into a process by pid, aimed at an id no thread
// has. The next free id is the one sysgate's next thread or alarm will
// get (ids are handed out in order), so a program that calls at it just
// before sysgate starts one would reach sysgate had the guard let the
// call go on. The id here is above PID_MAX_LIMIT (4194304): free for good,
// so native and supervised runs agree (ESRCH), and sysgate says it was
// its guard.
static int mode_free_ids(void) {
  reach(4194304 + 1000, "nobody");
  return 0;
}

// sysgate's memory through /proc, which no filter sees (no broker here).
static int mode_sysgate_mem(void) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/mem", getppid());
  long fd = raw(SYS_openat, AT_FDCWD, (long)path, O_RDWR);
  print_result("open sysgate mem", fd >= 0 ? 0 : fd);
  return 0;
}

// Which capability sets hold CAP_SYS_PTRACE (19), CAP_CHECKPOINT_RESTORE
// (40) and, for comparison, CAP_CHOWN (0): "CapEff 19 = 1".
static int mode_caps(void) {
  FILE* status = fopen("/proc/self/status", "r");
  if (!status) return 2;
  char line[256];
  while (fgets(line, sizeof(line), status)) {
    char set[16];
    unsigned long long mask;
    if (sscanf(line, "Cap%15[a-zA-Z]:\t%llx", set, &mask) != 2) continue;
    static const int kCaps[] = {0, 19, 40};
    for (int i = 0; i < 3; ++i)
      printf("Cap%s %d = %d\n", set, kCaps[i], (int)((mask >> kCaps[i]) & 1));
  }
  fclose(status);
  return 0;
}

// clone3 can hide CLONE_UNTRACED in memory the filter cannot read.
static int mode_clone3(void) {
  struct clone_args args;
  memset(&args, 0, sizeof(args));
  args.exit_signal = SIGCHLD;
  for (int untraced = 1; untraced >= 0; --untraced) {
    args.flags = untraced ? CLONE_UNTRACED : 0;
    long r = syscall(SYS_clone3, &args, sizeof(args));
    if (r == 0) _exit(0);
    if (r > 0) waitpid((pid_t)r, NULL, 0);
    print_result(untraced ? "clone3 untraced" : "clone3", r < 0 ? -errno : 1);
  }
  long r = raw(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0);
  if (r == 0) _exit(0);
  if (r > 0) waitpid((pid_t)r, NULL, 0);
  print_result("clone untraced", r > 0 ? 1 : r);
  return 0;
}

// A vfork child (sharing our memory, we suspended) is supervised too.
static int mode_vfork(void) {
  static volatile long result;
  static volatile pid_t child_pid;
  pid_t pid = vfork();
  if (pid == 0) {
    child_pid = (pid_t)syscall(SYS_getpid);
    long r = syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
    result = r < 0 ? -errno : r;
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  printf("vfork child = %d\n", child_pid == pid ? 1 : 0);
  print_result("vfork child traceme", result);
  return 0;
}

// Drop to nobody, then exec PATH (a set-user-ID-root copy of this program)
// in mode "ids".
static int mode_setuid_exec(const char* path) {
  if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
      setresuid(65534, 65534, 65534) != 0) {
    printf("drop = -1 %s\n", strerrorname_np(errno));
    return 1;
  }
  fflush(stdout);
  execl(path, path, "ids", (char*)NULL);
  printf("exec = -1 %s\n", strerrorname_np(errno));
  return 1;
}

static int mode_ids(void) {
  print_result("euid", raw(SYS_geteuid, 0, 0, 0));
  print_result("ids traceme", ptrace4(PTRACE_TRACEME, 0));
  return 0;
}

// x32 numbers (the kernel here has no x32; sysgate's filter answers them
// before any rule could be confused by them).
static int mode_x32(void) {
  print_result("x32 getppid", raw(X32_BIT | SYS_getppid, 0, 0, 0));
  print_result("x32 ptrace", raw(X32_BIT | 521, PTRACE_TRACEME, 0, 0));
  return 0;
}

static long install(uint32_t flags, struct sock_filter* f, unsigned short n) {
  struct sock_fprog prog = {n, f};
  return raw(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, (long)&prog);
}

static void* install_allow_all_everywhere(void* out) {
  struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  *(long*)out = install(SECCOMP_FILTER_FLAG_TSYNC, allow, 1);
  return NULL;
}

// Filters of the program's own, each tried against a denied ptrace and
// process_vm_writev of a sibling: an allow-all installed from another
// thread with TSYNC, one returning TRACE, then one returning ERRNO(0).
static int mode_own_filters(void) {
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  pid_t sibling = spawn_sleeper();
  pthread_t thread;
  long tsync = -1;
  pthread_create(&thread, NULL, install_allow_all_everywhere, &tsync);
  pthread_join(thread, NULL);
  print_result("tsync allow-all", tsync);
  print_result("attach after allow-all", ptrace4(PTRACE_ATTACH, sibling));

  struct sock_filter trace[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_writev, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 0x77),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  print_result("own trace filter", install(0, trace, 5));
  print_result("attach after trace", ptrace4(PTRACE_ATTACH, sibling));
  print_result("vm write after trace", vm_write(sibling, 2));

  struct sock_filter errno0[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  print_result("own errno(0) filter", install(0, errno0, 4));
  // ERRNO outranks TRACE, so this "succeeds" without running.
  print_result("attach after errno(0)", ptrace4(PTRACE_ATTACH, sibling));
  print_sibling_tracer(sibling);
  reap(sibling);
  return 0;
}

// A filter of the program's own with a user-notification listener.
static int mode_own_listener(void) {
  struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  long listener = install(SECCOMP_FILTER_FLAG_NEW_LISTENER, allow, 1);
  print_result("listener", listener >= 0 ? 1 : listener);
  print_result("plain filter", install(0, allow, 1));
  return 0;
}

// The channel between sysgate and the program: the program should hold no
// end of it, and reach none of sysgate's descriptors.
static int mode_descriptors(void) {
  int extra = 0, listeners = 0;
  for (int fd = 3; fd < 1024; ++fd) {
    if (fcntl(fd, F_GETFD) < 0) continue;
    ++extra;
    char path[64], target[256] = "";
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n > 0) target[n] = 0;
    printf("fd %d = %s\n", fd, target);
    uint64_t id = 0;
    // Only a listener answers this ioctl (with ENOENT for a stale id).
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 || errno == ENOENT)
      ++listeners;
  }
  printf("descriptors beyond stdio = %d\n", extra);
  printf("listeners held = %d\n", listeners);
  int reached = 0;
  for (int fd = 0; fd < 64; ++fd) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/fd/%d", getppid(), fd);
    int ours = open(path, O_RDWR | O_CLOEXEC);
    if (ours < 0) ours = open(path, O_RDONLY | O_CLOEXEC);
    if (ours >= 0) {
      ++reached;
      close(ours);
    }
  }
  printf("sysgate descriptors reached = %d\n", reached);
  print_result("pidfd_open sysgate", raw(SYS_pidfd_open, getppid(), 0, 0));
  // And "self" in /proc is this program, not the one resolving the path.
  char self[64] = "";
  ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
  if (n > 0) self[n] = 0;
  printf("/proc/self is me = %s\n", atoi(self) == getpid() ? "yes" : "no");
  FILE* status = fopen("/proc/self/status", "r");
  char line[256] = "";
  if (status && fgets(line, sizeof(line), status)) fclose(status);
  printf("/proc/self/status %s", line);
  long mem = raw(SYS_openat, AT_FDCWD, (long)"/proc/self/mem", O_RDONLY);
  print_result("open /proc/self/mem", mem >= 0 ? 0 : mem);
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char* mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "ptrace")) return mode_ptrace();
  if (!strcmp(mode, "vm-write")) return mode_vm_write();
  if (!strcmp(mode, "reach-sysgate")) return mode_reach_sysgate();
  if (!strcmp(mode, "clone3")) return mode_clone3();
  if (!strcmp(mode, "caps")) return mode_caps();
  if (!strcmp(mode, "sysgate-mem")) return mode_sysgate_mem();
  if (!strcmp(mode, "vfork")) return mode_vfork();
  if (!strcmp(mode, "setuid-exec") && argc == 3)
    return mode_setuid_exec(argv[2]);
  if (!strcmp(mode, "ids")) return mode_ids();
  if (!strcmp(mode, "x32")) return mode_x32();
  if (!strcmp(mode, "own-filters")) return mode_own_filters();
  if (!strcmp(mode, "own-listener")) return mode_own_listener();
  if (!strcmp(mode, "descriptors")) return mode_descriptors();
  if (!strcmp(mode, "perf-everyone")) return mode_perf_everyone();
  if (!strcmp(mode, "outside-the-program")) return mode_outside_the_program();
  if (!strcmp(mode, "free-ids")) return mode_free_ids();
  fprintf(stderr, "usage: escapes MODE\n");
  return 2;
}
