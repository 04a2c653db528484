// Workload: T threads, each making N raw getppid calls; prints the wall
// time per call over all threads as "ns_per_call".
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long calls;

static void* run(void* unused) {
  (void)unused;
  for (long i = 0; i < calls; ++i) syscall(SYS_getppid);
  return NULL;
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  calls = argc > 2 ? atol(argv[2]) : 10000;
  pthread_t t[256];
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < threads; ++i) pthread_create(&t[i], NULL, run, NULL);
  for (int i = 0; i < threads; ++i) pthread_join(t[i], NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
  printf("ns_per_call %.1f\n", ns / (threads * calls));
  return 0;
}
