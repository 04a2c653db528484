// Workload: keeps N child processes alive (blocked in pause), then times M
// raw getppid calls in the parent, and reports the supervisor's resident
// memory (the parent's parent is sysgate) while all of them live.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// The parent from /proc (getppid is the call being emulated).
static pid_t parent(void) {
  char line[256];
  FILE* f = fopen("/proc/self/status", "r");
  pid_t ppid = 0;
  while (f && fgets(line, sizeof(line), f)) {
    if (!strncmp(line, "PPid:", 5)) ppid = atoi(line + 5);
  }
  if (f) fclose(f);
  return ppid;
}

static long rss_kb(pid_t pid) {
  char path[64], line[256];
  snprintf(path, sizeof(path), "/proc/%d/status", pid);
  FILE* f = fopen(path, "r");
  long kb = -1;
  while (f && fgets(line, sizeof(line), f)) {
    if (!strncmp(line, "VmRSS:", 6)) kb = atol(line + 6);
  }
  if (f) fclose(f);
  return kb;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 0;
  long m = argc > 2 ? atol(argv[2]) : 10000;
  pid_t* kids = calloc(n + 1, sizeof(pid_t));
  for (int i = 0; i < n; ++i) {
    kids[i] = fork();
    if (kids[i] == 0) {
      pause();
      _exit(0);
    }
  }
  usleep(200000);  // Let every child reach pause().
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < m; ++i) syscall(SYS_getppid);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("ns_per_call %.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / m);
  printf("supervisor_rss_kb %ld\n", rss_kb(parent()));
  for (int i = 0; i < n; ++i) kill(kids[i], SIGKILL);
  for (int i = 0; i < n; ++i) waitpid(kids[i], NULL, 0);
  return 0;
}
