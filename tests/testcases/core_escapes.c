// Attacks on the machinery of sysgate's core (tests/core_escape_test.cc):
// its timed resumes, the alarm processes they use, and the hand-off of a
// brokered call from a ptrace stop to the notification server.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "tests/testcases/testcase.h"

static long elapsed_ms(const struct timespec* since) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - since->tv_sec) * 1000 +
         (now.tv_nsec - since->tv_nsec) / 1000000;
}

// Stage 2 of exec-while-parked: every thread tries a denied mkdir for a
// while, so that some stop of the new image is pending when the old
// leader's timed resume comes due.
static const char* mkdir_path;
static volatile int escaped;

static void* try_mkdir(void* unused) {
  (void)unused;
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  while (elapsed_ms(&start) < 1200) {
    if (raw(SYS_mkdirat, AT_FDCWD, (long)mkdir_path, 0700) == 0) {
      __sync_fetch_and_add(&escaped, 1);
      rmdir(mkdir_path);
    }
  }
  return NULL;
}

static int mode_stage2(const char* path) {
  mkdir_path = path;
  pthread_t t[4];
  for (int i = 0; i < 4; ++i) pthread_create(&t[i], NULL, try_mkdir, NULL);
  try_mkdir(NULL);
  for (int i = 0; i < 4; ++i) pthread_join(t[i], NULL);
  printf("escaped = %d\n", escaped);
  return 0;
}

static const char* self;
static const char* exec_path;
static void* exec_stage2(void* unused) {
  (void)unused;
  usleep(50000);  // The leader is parked by now.
  execl(self, self, "stage2", exec_path, (char*)NULL);
  return NULL;
}

// The leader's getppid is delayed; meanwhile another thread execs, which
// makes it the leader (its tid becomes the old leader's).
static int mode_exec_while_parked(const char* path) {
  exec_path = path;
  pthread_t t;
  pthread_create(&t, NULL, exec_stage2, NULL);
  raw(SYS_getppid, 0, 0, 0);
  printf("the exec never happened\n");
  return 1;
}

static void* delayed_getpgid(void* unused) {
  (void)unused;
  raw(SYS_getpgid, 0, 0, 0);
  return NULL;
}

// While a thread waits out a delay (of its getpgid), the program goes
// after the processes sysgate started to wait (its children other than the
// program).
static int mode_attack_alarm(void) {
  pid_t sysgate = getppid();
  pthread_t t;
  pthread_create(&t, NULL, delayed_getpgid, NULL);
  usleep(200000);
  char path[64], list[256] = {0};
  snprintf(path, sizeof(path), "/proc/%d/task/%d/children", sysgate, sysgate);
  FILE* f = fopen(path, "r");
  if (f) {
    if (!fgets(list, sizeof(list), f)) list[0] = 0;
    fclose(f);
  }
  int alarms = 0;
  for (char* p = strtok(list, " \n"); p; p = strtok(NULL, " \n")) {
    pid_t pid = atoi(p);
    if (pid == getpid()) continue;
    ++alarms;
    print_result("ptrace attach", raw(SYS_ptrace, PTRACE_ATTACH, pid, 0));
    char byte;
    struct iovec local = {&byte, 1}, remote = {(void*)path, 1};
    long r = syscall(SYS_process_vm_readv, pid, &local, 1, &remote, 1, 0);
    print_result("process_vm_readv", r < 0 ? -errno : r);
    print_result("pidfd_open", raw(SYS_pidfd_open, pid, 0, 0));
    kill(pid, SIGSTOP);  // Held, it would stall the delayed thread.
  }
  printf("alarms = %d\n", alarms);
  pthread_join(t, NULL);
  printf("the delayed call returned\n");
  return 0;
}

#if defined(__x86_64__)
#define AUDIT_ARCH_HERE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_HERE AUDIT_ARCH_AARCH64
#endif

#define HANDOFF_OPENAT (0x0ffe0000 + SYS_openat)
#define MARK 0x1337

// A filter of the program's own that fails the hand-off number of openat
// when its sixth argument carries MARK: after sysgate renumbers such an
// open for the broker, the kernel's second pass fails it with EPERM
// (ERRNO outranks USER_NOTIF) and the notification never comes.
static int own_filter_on_handoff(void) {
  struct sock_filter prog[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_HERE, 0, 5),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, HANDOFF_OPENAT, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
               offsetof(struct seccomp_data, args[5])),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MARK, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog fprog = {sizeof(prog) / sizeof(prog[0]), prog};
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog);
}

// A hand-off sysgate filed that never reached the broker, then the
// hand-off number made by the program itself.
static int mode_forged_handoff(const char* path) {
  print_result("own filter", own_filter_on_handoff());
  long r = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY, 0, 0, MARK);
  print_result("marked openat", r < 0 ? -errno : r);
  r = syscall(HANDOFF_OPENAT, AT_FDCWD, path, O_RDONLY, 0, 0, 0);
  print_result("hand-off number", r < 0 ? -errno : r);
  return 0;
}

#if defined(__x86_64__)
// An x32 call behind a filter of the program's own that asks for a stop
// with the data sysgate's default uses.
static int mode_own_trace_x32(void) {
  struct sock_filter prog[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 0xffff),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog fprog = {sizeof(prog) / sizeof(prog[0]), prog};
  print_result("own filter",
               syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog));
  print_result("x32 getpid", raw(0x40000000 | SYS_getpid, 0, 0, 0));
  return 0;
}
#endif

// A brokered readlink whose buffer is the program's own code: sysgate must
// write the answer only where the program could (EFAULT, as natively),
// whichever transport serves it.
static int code_target(void) { return 7; }

static int mode_readlink_into_text(const char* link) {
  unsigned char before[5];
  memcpy(before, (const void*)code_target, sizeof(before));
  long r = syscall(SYS_readlinkat, AT_FDCWD, link, (char*)code_target, 5);
  print_result("readlink into code", r < 0 ? -errno : r);
  printf("code = %s\n", memcmp(before, (const void*)code_target, 5) == 0
                            ? "unchanged"
                            : "overwritten");
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  self = argv[0];
  if (argc == 3 && !strcmp(argv[1], "stage2")) return mode_stage2(argv[2]);
  if (argc == 3 && !strcmp(argv[1], "exec-while-parked"))
    return mode_exec_while_parked(argv[2]);
  if (argc == 2 && !strcmp(argv[1], "attack-alarm")) return mode_attack_alarm();
  if (argc == 3 && !strcmp(argv[1], "forged-handoff"))
    return mode_forged_handoff(argv[2]);
  if (argc == 3 && !strcmp(argv[1], "readlink-into-text"))
    return mode_readlink_into_text(argv[2]);
#if defined(__x86_64__)
  if (argc == 2 && !strcmp(argv[1], "own-trace-x32"))
    return mode_own_trace_x32();
#endif
  fprintf(stderr, "core_escapes: unknown mode\n");
  return 2;
}
