// The open-heavy workload, shared by bench/open_loop.c (run under each
// supervisor) and bench/open_floor.c (which supervises itself): N x
// (openat + read + close) of one file, timed from inside. Returns ns per
// iteration, or -1 (with perror) if a call failed.
#ifndef SYSGATE_BENCH_OPEN_WORKLOAD_H_
#define SYSGATE_BENCH_OPEN_WORKLOAD_H_

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double time_opens(const char* path, long n) {
  char buf[256];
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; ++i) {
    int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      perror("openat");
      return -1;
    }
    if (read(fd, buf, sizeof(buf)) < 0) {
      perror("read");
      return -1;
    }
    close(fd);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
}

#endif  // SYSGATE_BENCH_OPEN_WORKLOAD_H_
