// Workload: N x (openat + read + close) of one file; prints ns per
// iteration as "ns_per_call" (the suite's unit) and opens per second.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: open_loop FILE N\n");
    return 2;
  }
  long n = atol(argv[2]);
  char buf[256];
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; ++i) {
    int fd = openat(AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      perror("openat");
      return 1;
    }
    if (read(fd, buf, sizeof(buf)) < 0) return 1;
    close(fd);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
  printf("ns_per_call %.1f\nopens_per_second %.0f\n", ns / n, n / (ns / 1e9));
  return 0;
}
