// The kernel's floor for "a filter is installed": a one-instruction
// SECCOMP_RET_ALLOW filter, then exec. Any seccomp filter puts every call
// of the process on the kernel's syscall-work slow path; this measures that
// cost alone, to set sysgate's own filter cost against it.
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: allow_all PROGRAM [ARG...]\n");
    return 2;
  }
  struct sock_filter f[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  struct sock_fprog prog = {1, f};
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return 125;
  execvp(argv[1], argv + 1);
  return 127;
}
