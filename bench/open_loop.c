// Workload: N x (openat + read + close) of one file; prints ns per
// iteration as "ns_per_call" (the suite's unit) and opens per second.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "bench/open_workload.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: open_loop FILE N\n");
    return 2;
  }
  long n = atol(argv[2]);
  double ns = time_opens(argv[1], n);
  if (ns < 0) return 1;
  printf("ns_per_call %.1f\nopens_per_second %.0f\n", ns, 1e9 / ns);
  return 0;
}
