// The floor: the least a SECCOMP_RET_TRACE supervisor can do to emulate a
// call. A one-rule filter traces getppid; each stop is answered with two
// PTRACE_POKEUSERs (orig_rax = -1, rax = 42) and PTRACE_CONT on x86-64; on
// arm64 one NT_ARM_SYSTEM_CALL write (-1) and a read-modify-write of x0 (the
// only way to set it). No table, no policy, no reports.
#define _GNU_SOURCE
#include <elf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

// Skips the stopped call and makes it return 42.
static void EmulateAt42(pid_t child) {
#if defined(__x86_64__)
  ptrace(PTRACE_POKEUSER, child, offsetof(struct user_regs_struct, orig_rax),
         -1L);
  ptrace(PTRACE_POKEUSER, child, offsetof(struct user_regs_struct, rax), 42L);
#elif defined(__aarch64__)
  int nr = -1;
  struct iovec nr_iov = {&nr, sizeof(nr)};
  ptrace(PTRACE_SETREGSET, child, NT_ARM_SYSTEM_CALL, &nr_iov);
  struct user_regs_struct regs;
  struct iovec regs_iov = {&regs, sizeof(regs)};
  ptrace(PTRACE_GETREGSET, child, NT_PRSTATUS, &regs_iov);
  regs.regs[0] = 42;
  ptrace(PTRACE_SETREGSET, child, NT_PRSTATUS, &regs_iov);
#else
#error "min_tracer: x86-64 and arm64 only"
#endif
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: min_tracer PROGRAM [ARG...]\n");
    return 2;
  }
  pid_t child = fork();
  if (child == 0) {
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {4, f};
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
    execv(argv[1], argv + 1);
    _exit(127);
  }
  int status;
  waitpid(child, &status, 0);
  ptrace(PTRACE_SETOPTIONS, child, 0,
         PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL);
  ptrace(PTRACE_CONT, child, 0, 0);
  while (waitpid(child, &status, 0) == child) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    int sig = WSTOPSIG(status);
    if ((status >> 16) == PTRACE_EVENT_SECCOMP) {
      EmulateAt42(child);
      sig = 0;
    } else if (sig == SIGTRAP) {
      sig = 0;
    }
    ptrace(PTRACE_CONT, child, 0, sig);
  }
  return 1;
}
