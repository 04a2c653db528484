// Workload: N raw getppid calls (no libc caching), timed with
// CLOCK_MONOTONIC; prints "ns_per_call X" and the last result.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  long nr = argc > 2 ? atol(argv[2]) : SYS_getppid;
  struct timespec a, b;
  long r = 0;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; ++i) r = syscall(nr);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
  printf("ns_per_call %.1f\nresult %ld\n", ns / n, r);
  return 0;
}
