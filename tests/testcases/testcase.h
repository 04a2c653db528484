// What every tracee program of the end-to-end tests shares: a raw system
// call (no libc caching or wrapping) and a one-fact-per-line result.
#ifndef SYSGATE_TESTS_TESTCASES_TESTCASE_H_
#define SYSGATE_TESTS_TESTCASES_TESTCASE_H_

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static inline long raw(long nr, long a, long b, long c) {
  long r = syscall(nr, a, b, c);
  return r < 0 ? -errno : r;
}

// "what = value", or "what = -1 ENAME" for a negative errno.
static inline void print_result(const char* what, long r) {
  if (r < 0) {
    printf("%s = -1 %s\n", what, strerrorname_np((int)-r));
  } else {
    printf("%s = %ld\n", what, r);
  }
}

#endif  // SYSGATE_TESTS_TESTCASES_TESTCASE_H_
