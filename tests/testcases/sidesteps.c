// A tracee for the tests of rules a program tries to sidestep (issue 15,
// tests/sidestep_test.cc): each call is made raw, with the arguments the
// rule is about, and garbage wherever the kernel ignores it. One line per
// call, "NAME = 0" or "NAME = -1 ERRNO".
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

#include "tests/testcases/testcase.h"

// "what = 0", or "what = -1 ENAME" for a failed syscall(2).
static void report(const char* what, long r) {
  print_result(what, r == -1 ? -errno : 0);
  fflush(stdout);
}

#if defined(__LP64__)
// Garbage for the upper half of a 64-bit register.
static const unsigned long kHigh = 0x5a5a5a5a00000000ul;
#endif

// The calls whose rules compare a parameter the kernel reads narrower than
// the register: what matters is only that the rule still decides.
static int mode_widths(const char* file) {
  // umode_t is 16 bits on every ABI.
  report("fchmodat 04755",
         syscall(SYS_fchmodat, AT_FDCWD, file, (unsigned long)0x10000 | 04755));
#if defined(__LP64__)
  // clone: the kernel uses the low 32 bits of the flags.
  long child = syscall(SYS_clone, kHigh | SIGCHLD, 0, 0, 0, 0);
  if (child == 0) _exit(0);
  if (child > 0) waitpid(child, NULL, 0);
  report("clone SIGCHLD", child);
  // mmap's prot and flags: the low 32 bits (do_mmap).
  long map =
      syscall(SYS_mmap, 0, 4096, kHigh | PROT_READ | PROT_WRITE | PROT_EXEC,
              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  report("mmap rwx", map == (long)MAP_FAILED ? -1 : 0);
  // ioctl's request is an unsigned int: TIOCSTI with garbage above it.
  char c = '#';
  report("ioctl TIOCSTI", syscall(SYS_ioctl, 0, kHigh | TIOCSTI, &c));
  // ptrace's `long pid` becomes a pid_t. PTRACE_INTERRUPT of a process we
  // do not trace fails with ESRCH and touches nothing.
  report("ptrace pid 1",
         syscall(SYS_ptrace, PTRACE_INTERRUPT, kHigh | 1, 0, 0));
#endif
#if defined(__i386__)
  // i386's chown (182) is chown16: the uid is 16 bits (kernel/uid16.c).
  report("chown16 uid 0", syscall(182, file, 0x10000, -1));
#endif
  return 0;
}

// The built-in default policy's additions: each of these fails with EPERM
// there, and the queries pass.
static int mode_default_gaps(void) {
  char c = '#';
  unsigned long tiocsti = TIOCSTI;
#if defined(__LP64__)
  tiocsti |= kHigh;
#endif
  report("ioctl TIOCSTI", syscall(SYS_ioctl, 0, tiocsti, &c));
  int n_null = 27;  // N_NULL: a line discipline that discards everything.
  report("ioctl TIOCSETD", syscall(SYS_ioctl, 0, TIOCSETD, &n_null));
  report("ioctl TCXONC", syscall(SYS_ioctl, 0, TCXONC, TCOOFF));
  char selection[2] = {2 /* TIOCL_PASTESEL */, 0};
  report("ioctl TIOCLINUX", syscall(SYS_ioctl, 0, TIOCLINUX, selection));
  report("personality READ_IMPLIES_EXEC",
         syscall(SYS_personality, READ_IMPLIES_EXEC));
  report("personality ADDR_NO_RANDOMIZE",
         syscall(SYS_personality, ADDR_NO_RANDOMIZE));
  report("personality query", syscall(SYS_personality, 0xffffffffu));
  report("personality PER_LINUX", syscall(SYS_personality, PER_LINUX));
  char params[120] = {0};  // struct io_uring_params
  long ring = syscall(SYS_io_uring_setup, 1, params);
  report("io_uring_setup", ring);
  if (ring >= 0) close((int)ring);
  long notify = syscall(SYS_fanotify_init, 0 /* FAN_CLASS_NOTIF */, O_RDONLY);
  report("fanotify_init", notify);
  if (notify >= 0) close((int)notify);
  return 0;
}

// Every call that opens FILE, raw: the members of @open on this ABI.
static int mode_open_family(const char* file) {
  long fd;
#ifdef SYS_open
  report("open", fd = syscall(SYS_open, file, O_RDONLY));
  if (fd >= 0) close((int)fd);
#endif
#ifdef SYS_creat
  report("creat", fd = syscall(SYS_creat, file, 0644));
  if (fd >= 0) close((int)fd);
#endif
  report("openat", fd = syscall(SYS_openat, AT_FDCWD, file, O_RDONLY));
  if (fd >= 0) close((int)fd);
  struct {
    uint64_t flags, mode, resolve;
  } how = {O_RDONLY, 0, 0};
  report("openat2", fd = syscall(437 /* openat2, every ABI */, AT_FDCWD, file,
                                 &how, sizeof(how)));
  if (fd >= 0) close((int)fd);
  return 0;
}

static volatile sig_atomic_t sigsys_seen;
static void on_sigsys(int sig) {
  (void)sig;
  ++sigsys_seen;
}

// Queues this thread a SIGSYS with `code` (1: SYS_SECCOMP) that names
// getpgid and RET_DATA `data`, as the kernel's trap of it would.
static void queue_sigsys(int code, int data) {
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  info.si_signo = SIGSYS;
  info.si_code = code;
  info.si_errno = data;
  info.si_syscall = SYS_getpgid;
#if defined(__x86_64__)
  info.si_arch = 0xc000003e;  // AUDIT_ARCH_X86_64
#elif defined(__i386__)
  info.si_arch = 0x40000003;  // AUDIT_ARCH_I386
#else
  info.si_arch = 0xc00000b7;  // AUDIT_ARCH_AARCH64
#endif
  syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGSYS, &info);
}

static void block_sigsys(void) {
  sigset_t sys;
  sigemptyset(&sys);
  sigaddset(&sys, SIGSYS);
  sigprocmask(SIG_BLOCK, &sys, NULL);
}

// SIGSYS queued to ourselves dressed as seccomp traps of getpgid, one per
// rule index a filter's RET_DATA could name; then one real trap of it.
static int mode_forge_trap(void) {
  signal(SIGSYS, on_sigsys);
  for (int data = 0; data < 64; ++data) queue_sigsys(1 /* SYS_SECCOMP */, data);
  syscall(SYS_getpgid, 0);
  printf("sigsys = %d\n", (int)sigsys_seen);
  return 0;
}

// A SIGSYS queued first, with SIGSYS blocked, so that the kernel's own
// for the trapped getpgid below is merged into it: what is delivered is
// the program's (si_code SI_QUEUE), and kills it (the kernel resets a
// blocked SIGSYS to its default action).
static int mode_trap_behind_a_queued_sigsys(void) {
  block_sigsys();
  queue_sigsys(SI_QUEUE, 0);
  syscall(SYS_getpgid, 0);
  return 0;
}

// Installs `handler` for `sig` with SA_SIGINFO (siginfo and context).
static void on_siginfo(int sig, void (*handler)(int, siginfo_t*, void*)) {
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO;
  sigaction(sig, &action, NULL);
}

// The number register of a signal's saved context: what rt_sigreturn
// restores (and what a SIGSYS handler reads the trapped call from).
static unsigned long* number_register(ucontext_t* uc) {
#if defined(__x86_64__)
  return (unsigned long*)&uc->uc_mcontext.gregs[REG_RAX];
#elif defined(__i386__)
  return (unsigned long*)&uc->uc_mcontext.gregs[REG_EAX];
#elif defined(__aarch64__)
  return (unsigned long*)&uc->uc_mcontext.regs[8];
#else  // AArch32 (EABI: the number in r7).
  return (unsigned long*)&uc->uc_mcontext.arm_r7;
#endif
}

// A SIGSYS dressed as a trap of getpgid(0) is queued while SIGSYS is
// blocked; a SIGUSR1 handler then rewrites its saved context so that
// rt_sigreturn comes back with getpgid's number and arguments in the
// registers (x8 and x0 on arm64) and SIGSYS unblocked: the forged SIGSYS
// is delivered on the way out of rt_sigreturn, no call made.
static void forge_context(int sig, siginfo_t* info, void* context) {
  (void)sig;
  (void)info;
  ucontext_t* uc = context;
  *number_register(uc) = SYS_getpgid;
#if defined(__aarch64__)
  uc->uc_mcontext.regs[0] = 0;
#endif
  sigdelset(&uc->uc_sigmask, SIGSYS);
}

static int mode_trap_after_sigreturn(void) {
  signal(SIGSYS, on_sigsys);
  on_siginfo(SIGUSR1, forge_context);
  block_sigsys();
  queue_sigsys(1 /* SYS_SECCOMP */, 0);
  raise(SIGUSR1);
  printf("sigsys = %d\n", (int)sigsys_seen);
  return 0;
}

// What a SIGSYS handler is shown of one trapped getpgid(0): the same
// whether the kernel trapped the call alone or sysgate decided it at a
// stop first.
static volatile long seen_syscall = -1, seen_number = -1, seen_call_addr;
static volatile int seen_arch, seen_data = -1;
static void record_sigsys(int sig, siginfo_t* info, void* context) {
  (void)sig;
  seen_syscall = info->si_syscall;
  seen_arch = (int)info->si_arch;
  seen_data = info->si_errno;  // The filter's RET_DATA.
  seen_call_addr = (long)info->si_call_addr;
  seen_number = (long)*number_register(context);
}

static int mode_trap_siginfo(void) {
  on_siginfo(SIGSYS, record_sigsys);
  syscall(SYS_getpgid, 0);
  printf(
      "si_syscall %s, number register %s, si_arch %#x, call address %s, "
      "data %d\n",
      seen_syscall == SYS_getpgid ? "getpgid" : "other",
      seen_number == SYS_getpgid ? "getpgid" : "other", seen_arch,
      seen_call_addr != 0 ? "set" : "null", seen_data);
  return 0;
}

// The permissions of this image's stack mapping, as the kernel made it.
static int mode_stack(void) {
  FILE* maps = fopen("/proc/self/maps", "r");
  char line[512];
  while (maps && fgets(line, sizeof(line), maps)) {
    if (!strstr(line, "[stack]")) continue;
    char perms[8] = "";
    sscanf(line, "%*s %4s", perms);
    perms[3] = 0;  // rwx without the private/shared letter.
    printf("stack %s\n", perms);
    return 0;
  }
  return 2;
}

// Traps of getpgid while another thread keeps sending this one SIGSYS:
// one pending when the trap comes takes the place of the kernel's (a
// standard signal is not queued twice), and the trap's rolled-back number
// register must still hold getpgid's number, never the one sysgate
// redirected the call to.
static volatile pid_t race_victim;
static volatile int race_over;
static void* send_sigsys(void* unused) {
  (void)unused;
  while (!race_over) syscall(SYS_tgkill, getpid(), race_victim, SIGSYS);
  return NULL;
}
static void ignore_sigsys(int sig, siginfo_t* info, void* context) {
  (void)sig;
  (void)info;
  (void)context;
}

static int mode_trap_race(void) {
  on_siginfo(SIGSYS, ignore_sigsys);
  race_victim = gettid();
  pthread_t sender;
  if (pthread_create(&sender, NULL, send_sigsys, NULL) != 0) return 2;
  int reserved = 0;
  for (int i = 0; i < 3000; ++i) {
    // A trap whose handler sets nothing returns the rolled-back register.
    if (syscall(SYS_getpgid, 0) == 0x0fff0003 /* sysgate's trap number */)
      ++reserved;
  }
  race_over = 1;
  pthread_join(sender, NULL);
  printf("the reserved number returned %d times\n", reserved);
  return 0;
}

// The personality this image started with (an i386 image without
// PT_GNU_STACK gets READ_IMPLIES_EXEC from the kernel).
static int mode_personality(void) {
  int persona = personality(0xffffffff);
  printf("READ_IMPLIES_EXEC %s\n",
         persona & READ_IMPLIES_EXEC ? "set" : "clear");
  return 0;
}

// The stderr sysgate shares with the program, made non-blocking and full
// before each of five calls the default policy denies: sysgate's report
// lines must all arrive regardless.
static int mode_flood_stderr(void) {
  if (fcntl(2, F_SETFL, fcntl(2, F_GETFL) | O_NONBLOCK) != 0) return 2;
  static char fill[4096];
  memset(fill, 'x', sizeof(fill));
  int denied = 0, full = 0;
  for (int call = 0; call < 5; ++call) {
    for (int i = 0; i < 4096; ++i) {
      if (write(2, fill, sizeof(fill)) < 0 && errno == EAGAIN) {
        ++full;
        break;
      }
    }
    pid_t self = getpid();
    denied += syscall(SYS_kcmp, self, self, 0 /* KCMP_FILE */, 0, 0) == -1 &&
              errno == EPERM;
  }
  printf("kcmp denied = %d, stderr full = %d\n", denied, full);
  return 0;
}

// Strings of the program's choosing in reports: a name it gave itself and
// a file name, each holding a newline and what would read as a report line.
static int mode_forge_lines(const char* file) {
  prctl(PR_SET_NAME, "a\nsysgate: pid 1");
  pid_t self = getpid();
  report("kcmp", syscall(SYS_kcmp, self, self, 0, 0, 0));
  long fd = syscall(SYS_openat, AT_FDCWD, file, O_RDONLY);
  report("open", fd);
  // A denied call on a descriptor: reports name the file it refers to.
  char c = '#';
  if (fd >= 0) report("ioctl", syscall(SYS_ioctl, fd, TIOCSTI, &c));
  return 0;
}

#if defined(__i386__)
// fadvise64 (250): fd, offset low and high, len, advice. POSIX_FADV_NORMAL
// passes, POSIX_FADV_DONTNEED (4) is what the test's rule denies.
static int mode_fadvise(void) {
  int fd = open("/proc/self/exe", O_RDONLY);
  report("fadvise64 NORMAL", syscall(250, fd, 0, 0, 4096, 0));
  report("fadvise64 DONTNEED", syscall(250, fd, 0, 0, 4096, 4));
  return 0;
}

// The calls i386 also reaches through socketcall (102) and ipc (117), each
// both ways: the multiplexer with its call code, and the direct number.
static int mode_multiplexers(void) {
  unsigned long unix_socket[3] = {AF_UNIX, SOCK_STREAM, 0};
  unsigned long inet_socket[3] = {AF_INET, SOCK_STREAM, 0};
  long fd;
  report("socketcall socket unix",
         fd = syscall(102, 1 /* SYS_SOCKET */, unix_socket));
  if (fd >= 0) close((int)fd);
  report("socketcall socket inet", fd = syscall(102, 1, inet_socket));
  if (fd >= 0) close((int)fd);
  report("socket unix", fd = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
  if (fd >= 0) close((int)fd);
  report("socket inet", fd = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0));
  if (fd >= 0) close((int)fd);
  // ipc's call in the low 16 bits, a version above (ipc/syscall.c).
  long id = syscall(117, (1 << 16) | 23 /* SHMGET */, IPC_PRIVATE, 4096,
                    IPC_CREAT | 0600, 0, 0);
  report("ipc shmget", id);
  if (id >= 0) syscall(SYS_shmctl, id, IPC_RMID, 0);
  id = syscall(SYS_shmget, IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  report("shmget", id);
  if (id >= 0) syscall(SYS_shmctl, id, IPC_RMID, 0);
  return 0;
}
#endif

#if defined(__x86_64__)
// `int $0x80` from a 64-bit process, with garbage in every upper half: the
// i386 entry reads only the low words.
static long int80_3(long nr, unsigned long a, unsigned long b,
                    unsigned long c) {
  long ret;
  __asm__ volatile("int $0x80"
                   : "=a"(ret)
                   : "a"(nr), "b"(a), "c"(b), "d"(c)
                   : "memory");
  return ret;
}

static int mode_int80_chmod(const char* file) {
  // The path must sit below 4 GiB for the i386 entry to reach it.
  char* low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (low == MAP_FAILED) return 2;
  snprintf(low, 4096, "%s", file);
  long r = int80_3(15 /* i386 chmod */, kHigh | (uintptr_t)low, kHigh | 04755,
                   kHigh);
  if (r < 0) {
    errno = (int)-r;
    r = -1;
  }
  report("i386 chmod 04755", r);
  return 0;
}
#endif

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "widths") && argc == 3) return mode_widths(argv[2]);
  if (!strcmp(mode, "default-gaps")) return mode_default_gaps();
  if (!strcmp(mode, "open-family") && argc == 3)
    return mode_open_family(argv[2]);
  if (!strcmp(mode, "forge-trap")) return mode_forge_trap();
  if (!strcmp(mode, "trap-behind-sigsys"))
    return mode_trap_behind_a_queued_sigsys();
  if (!strcmp(mode, "trap-after-sigreturn")) return mode_trap_after_sigreturn();
  if (!strcmp(mode, "trap-siginfo")) return mode_trap_siginfo();
  if (!strcmp(mode, "personality")) return mode_personality();
  if (!strcmp(mode, "trap-race")) return mode_trap_race();
  if (!strcmp(mode, "stack")) return mode_stack();
  if (!strcmp(mode, "flood-stderr")) return mode_flood_stderr();
  if (!strcmp(mode, "forge-lines") && argc == 3)
    return mode_forge_lines(argv[2]);
#if defined(__i386__)
  if (!strcmp(mode, "multiplexers")) return mode_multiplexers();
  if (!strcmp(mode, "fadvise")) return mode_fadvise();
#endif
#if defined(__x86_64__)
  if (!strcmp(mode, "int80-chmod") && argc == 3)
    return mode_int80_chmod(argv[2]);
#endif
  fprintf(stderr,
          "usage: sidesteps widths FILE | default-gaps | open-family FILE | "
          "forge-trap | trap-behind-sigsys | trap-after-sigreturn | "
          "trap-siginfo | personality | trap-race | stack | "
          "flood-stderr | "
          "forge-lines FILE | int80-chmod FILE\n");
  return 2;
}
