// The reference for the broker: the least a SECCOMP_RET_USER_NOTIF file
// broker can do. A listener thread answers every notified openat by
// reading the path out of the caller (process_vm_readv, as any broker in
// another process must), opening it with no check at all (openat2, which
// the filter does not notify) and installing the descriptor in the caller
// with SECCOMP_ADDFD_FLAG_SEND; the main thread times N openat+read+close
// of FILE, as bench/open_loop.c does. No ptrace at all.
//
//   open_floor FILE N
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench/open_workload.h"

static int listener;

static void answer_with_error(__u64 id, int error) {
  struct seccomp_notif_resp resp;
  memset(&resp, 0, sizeof(resp));
  resp.id = id;
  resp.error = -error;
  ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static void* serve(void* unused) {
  (void)unused;
  for (;;) {
    struct seccomp_notif req;
    memset(&req, 0, sizeof(req));
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) continue;
    char path[4096];
    struct iovec local = {path, sizeof(path) - 1};
    struct iovec remote = {(void*)req.data.args[1], sizeof(path) - 1};
    ssize_t n = process_vm_readv(req.pid, &local, 1, &remote, 1, 0);
    if (n <= 0) {
      answer_with_error(req.id, EFAULT);
      continue;
    }
    path[n] = '\0';
    struct open_how how = {.flags = req.data.args[2] & ~(__u64)O_CLOEXEC};
    long fd =
        syscall(SYS_openat2, (int)req.data.args[0], path, &how, sizeof(how));
    if (fd < 0) {
      answer_with_error(req.id, errno);
      continue;
    }
    struct seccomp_notif_addfd addfd;
    memset(&addfd, 0, sizeof(addfd));
    addfd.id = req.id;
    addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
    addfd.srcfd = (__u32)fd;
    addfd.newfd_flags = req.data.args[2] & O_CLOEXEC;
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) < 0)
      answer_with_error(req.id, errno);
    close((int)fd);
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: open_floor FILE N\n");
    return 2;
  }
  long n = atol(argv[2]);
  struct sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {4, f};
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (listener < 0) return 125;
  // SYNC_WAKE_UP where the kernel has it (6.6), as sysgate asks too.
  ioctl(listener, SECCOMP_IOW(4, __u64), 1UL);
  pthread_t t;
  pthread_create(&t, NULL, serve, NULL);
  double ns = time_opens(argv[1], n);
  if (ns < 0) return 1;
  printf("ns_per_call %.1f\n", ns);
  return 0;
}
