// A tracee for the tests of how sysgate decides a call (tests/
// decisions_test.cc): one call, made by the main thread or a thread of its
// own, with what came back and what happened around it; and calls delayed
// by --inject while others go on. One fact per line.
//
// Built static and printing with write(2) alone, so that it makes no file
// call but the one under test: no dynamic loader opening libraries, no
// stdio fstat-ing its stream. An --inject of openat or newfstatat then hits
// exactly that call; one of execve, its second execve (sysgate's launcher
// made the first).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/testcases/testcase.h"

static void say(const char* format, ...) {
  char line[256];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(line, sizeof(line), format, args);
  va_end(args);
  if (write(1, line, n) != n) _exit(3);
}

static void say_result(const char* what, long r) {
  if (r < 0) {
    say("%s = -1 %s\n", what, strerrorname_np((int)-r));
  } else {
    say("%s = %ld\n", what, r);
  }
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static volatile sig_atomic_t got_usr1, trapped;
static void on_usr1(int sig) {
  (void)sig;
  got_usr1 = 1;
}
static void on_sigsys(int sig, siginfo_t* info, void* context) {
  (void)sig;
  (void)context;
  trapped = info->si_syscall;
}

struct call_arg {
  const char* call;
  const char* path;
  const char* self;
  long result;
  long size;
};

static void* make_call(void* p) {
  struct call_arg* a = p;
  if (!strcmp(a->call, "openat")) {
    // O_NOCTTY: a policy can tell this open from any other.
    a->result = raw(SYS_openat, AT_FDCWD, (long)a->path,
                    O_RDONLY | O_CLOEXEC | O_NOCTTY);
  } else if (!strcmp(a->call, "newfstatat")) {
    struct stat st;
    memset(&st, 0, sizeof(st));
    a->result =
        syscall(SYS_newfstatat, AT_FDCWD, a->path, &st, AT_NO_AUTOMOUNT);
    if (a->result < 0) a->result = -errno;
    a->size = st.st_size;
  } else if (!strcmp(a->call, "execve")) {
    // Replaces the whole process, which then exits with status 42. No
    // environment: a policy can tell this execve from the launcher's.
    char* argv[] = {(char*)a->self, "exit", "42", NULL};
    a->result = raw(SYS_execve, (long)a->path, (long)argv, 0);
  }
  return NULL;
}

// CALL on PATH, from the main thread or from a second one (so that
// kill-thread ends only that thread), then what it returned, the signals
// that came, how long it took.
static int mode_call(const char* self, const char* where, const char* call,
                     const char* path) {
  signal(SIGUSR1, on_usr1);
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSYS, &sa, NULL);
  struct call_arg a = {call, path, self, -ENOTSUP, -1};
  long start = now_ms();
  if (!strcmp(where, "thread")) {
    pthread_t t;
    pthread_create(&t, NULL, make_call, &a);
    pthread_join(t, NULL);
  } else {
    make_call(&a);
  }
  long elapsed = now_ms() - start;
  if (trapped) {
    // SECCOMP_RET_TRAP rolls the return register back to its value at entry
    // (syscall_rollback(): orig_ax, the number, on x86; orig_x0, the first
    // argument, on arm64), so what the call "returned" is the ABI's and, for
    // a pointer argument, the address layout's. Only the trap is an outcome.
    say("result = none (trapped)\n");
  } else {
    say_result("result", a.result);
  }
  if (a.size >= 0) say("size = %ld\n", a.size);
  say("signal = %s\n", got_usr1 ? "USR1" : "none");
  say("trapped = %s\n", trapped ? "yes" : "no");
  say("pid = %ld\n", (long)getpid());
  say("elapsed_ms = %ld\n", elapsed);
  say("survived\n");
  return 0;
}

// Two processes make one getppid each at the same moment (a pipe releases
// both); each prints when its call started and ended.
static int mode_delayed_pair(void) {
  int go[2];
  if (pipe(go) != 0) return 1;
  pid_t child = fork();
  char byte;
  if (child != 0) {
    close(go[0]);
    if (write(go[1], "xx", 2) != 2) return 1;
    close(go[1]);
  } else {
    close(go[1]);
    if (read(go[0], &byte, 1) != 1) _exit(1);
  }
  long long start = now_ns();
  raw(SYS_getppid, 0, 0, 0);
  long long end = now_ns();
  say("interval %lld %lld\n", start, end);
  if (child == 0) _exit(0);
  int status;
  waitpid(child, &status, 0);
  return 0;
}

static volatile int slow_done;
static long long slow_end;
static void* slow_call(void* unused) {
  (void)unused;
  raw(SYS_getppid, 0, 0, 0);
  slow_end = now_ns();
  slow_done = 1;
  return NULL;
}

// A thread's getppid is delayed; meanwhile the main thread makes N getuid
// calls (each a stop in sysgate too). Prints when each side finished.
static int mode_delay_threads(int n) {
  pthread_t t;
  pthread_create(&t, NULL, slow_call, NULL);
  usleep(100000);  // Let the other thread reach its call.
  int served = 0;
  for (int i = 0; i < n; ++i) served += raw(SYS_getuid, 0, 0, 0) == 9;
  long long fast_end = now_ns();
  int still_waiting = !slow_done;
  pthread_join(t, NULL);
  say("served = %d of %d\n", served, n);
  say("while the delayed call waited = %s\n", still_waiting ? "yes" : "no");
  say("order = %s\n", fast_end < slow_end ? "fast first" : "slow first");
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 5 && !strcmp(argv[1], "call"))
    return mode_call(argv[0], argv[2], argv[3], argv[4]);
  if (argc == 3 && !strcmp(argv[1], "exit")) return atoi(argv[2]);
  if (argc == 2 && !strcmp(argv[1], "delayed-pair")) return mode_delayed_pair();
  if (argc == 3 && !strcmp(argv[1], "delay-threads"))
    return mode_delay_threads(atoi(argv[2]));
  say("decisions: unknown mode\n");
  return 2;
}
