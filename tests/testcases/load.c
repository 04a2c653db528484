// A tracee that loads its supervisor: many processes, deep trees, many
// threads, and threads caught in the middle of a stop by an exit, an exec,
// a signal or SIGKILL. Every traced call is getuid, which the tests make
// sysgate answer with 4242 at a ptrace stop (--inject=getuid:retval=4242),
// so a call that went unanswered or was answered wrongly is visible.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/testcases/testcase.h"

#define ANSWER 4242

static int answered(void) { return syscall(SYS_getuid) == ANSWER; }

static int wait_status(pid_t pid) {
  int status;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static pid_t spawn_self(const char* self, const char* mode, int n) {
  char arg[16];
  snprintf(arg, sizeof(arg), "%d", n);
  pid_t pid = fork();
  if (pid == 0) {
    execl(self, self, mode, arg, (char*)NULL);
    _exit(99);
  }
  return pid;
}

// One short-lived process of `processes`: exits with i % 200 if its
// traced call was answered.
static int mode_child(int i) { return answered() ? i % 200 : 255; }

// N processes, one after another, each fork-and-exec'ed: every exit
// status must come back right.
static int mode_processes(const char* self, int n) {
  int right = 0;
  for (int i = 0; i < n; ++i)
    right += wait_status(spawn_self(self, "child", i)) == i % 200;
  printf("processes right = %d of %d\n", right, n);
  return 0;
}

// A tree `depth` deep: each level execs the next and waits for it; the
// leaf's status (7 if answered) comes back up through every level, each
// adding its own answer.
static int mode_tree(const char* self, int depth) {
  if (depth == 0) return answered() ? 7 : 255;
  int below = wait_status(spawn_self(self, "tree", depth - 1));
  return below == 7 && answered() ? 7 : 254;
}

static atomic_long good, bad;
static atomic_int started;

static void* spin(void* arg) {
  (void)arg;
  atomic_fetch_add(&started, 1);
  for (;;) {
    if (answered())
      atomic_fetch_add(&good, 1);
    else
      atomic_fetch_add(&bad, 1);
  }
  return NULL;
}

static void start_spinners(int threads) {
  pthread_t t;
  for (int i = 0; i < threads; ++i) pthread_create(&t, NULL, spin, NULL);
  while (atomic_load(&started) < threads) sched_yield();
  // Let them pile up in stops.
  struct timespec pause = {0, 50 * 1000 * 1000};
  nanosleep(&pause, NULL);
}

// Threads in the middle of stops while the process ends or changes:
//   exit:  exit_group(3) from the main thread;
//   exec:  execve of ourselves ("after-exec" prints and exits 0);
//   kill:  SIGKILL to ourselves (status 137).
static int mode_midstop(const char* self, const char* how, int threads) {
  start_spinners(threads);
  printf("spinning = %d, wrong = %ld\n", atomic_load(&started),
         atomic_load(&bad));
  fflush(stdout);
  if (!strcmp(how, "exit")) syscall(SYS_exit_group, 3);
  if (!strcmp(how, "exec")) execl(self, self, "after-exec", (char*)NULL);
  if (!strcmp(how, "kill")) kill(getpid(), SIGKILL);
  return 1;
}

static int mode_after_exec(void) {
  printf("after exec answered = %d\n", answered());
  return 0;
}

static atomic_long handled;
static void on_signal(int sig) {
  (void)sig;
  // A traced call from inside the handler, while others are in stops.
  if (answered()) atomic_fetch_add(&handled, 1);
}

// Threads making `calls` traced calls each while the process is flooded
// with signals whose handler makes traced calls too.
static void* count_calls(void* arg) {
  long calls = (long)arg;
  for (long i = 0; i < calls; ++i) {
    if (answered())
      atomic_fetch_add(&good, 1);
    else
      atomic_fetch_add(&bad, 1);
  }
  return NULL;
}

static int mode_signals(int threads, long calls) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  pthread_t tids[64];
  if (threads > 64) threads = 64;
  for (int i = 0; i < threads; ++i)
    pthread_create(&tids[i], NULL, count_calls, (void*)calls);
  long sent = 0;
  while (atomic_load(&good) + atomic_load(&bad) < threads * calls) {
    kill(getpid(), SIGUSR1);
    ++sent;
    struct timespec pause = {0, 200 * 1000};
    nanosleep(&pause, NULL);
  }
  for (int i = 0; i < threads; ++i) pthread_join(tids[i], NULL);
  printf("good = %ld of %ld\n", atomic_load(&good), threads * calls);
  printf("signals handled = %s\n",
         atomic_load(&handled) > 0 && sent > 0 ? "some" : "none");
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char* mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "child") && argc == 3) return mode_child(atoi(argv[2]));
  if (!strcmp(mode, "processes") && argc == 3)
    return mode_processes(argv[0], atoi(argv[2]));
  if (!strcmp(mode, "tree") && argc == 3)
    return mode_tree(argv[0], atoi(argv[2]));
  if (!strcmp(mode, "midstop") && argc == 4)
    return mode_midstop(argv[0], argv[2], atoi(argv[3]));
  if (!strcmp(mode, "after-exec")) return mode_after_exec();
  if (!strcmp(mode, "signals") && argc == 4)
    return mode_signals(atoi(argv[2]), atol(argv[3]));
  fprintf(stderr, "usage: load MODE ARGS\n");
  return 2;
}
