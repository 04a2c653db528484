// Workload: N x (openat + read + close) of one file, on T threads at once
// (default 1); prints the wall time per open across all of them as
// "ns_per_call" (the suite's unit: its inverse is the throughput) and
// opens per second.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/open_workload.h"

static const char* g_path;
static long g_opens;

static void* opener(void* failed) {
  if (time_opens(g_path, g_opens) < 0) *(int*)failed = 1;
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: open_loop FILE N [THREADS]\n");
    return 2;
  }
  g_path = argv[1];
  g_opens = atol(argv[2]);
  int threads = argc > 3 ? atoi(argv[3]) : 1;
  if (threads < 1 || threads > 64) {
    fprintf(stderr, "open_loop: THREADS must be 1 to 64\n");
    return 2;
  }
  pthread_t ids[64];
  int failed[64] = {0};
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < threads; ++i) {
    if (pthread_create(&ids[i], NULL, opener, &failed[i]) != 0) {
      perror("pthread_create");
      return 1;
    }
  }
  for (int i = 0; i < threads; ++i) pthread_join(ids[i], NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  for (int i = 0; i < threads; ++i)
    if (failed[i]) return 1;
  double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) /
              ((double)g_opens * threads);
  printf("ns_per_call %.1f\nopens_per_second %.0f\n", ns, 1e9 / ns);
  return 0;
}
