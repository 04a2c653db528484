// Brokered calls that wait (a FIFO's open for its other end, a stream
// connect for room in its peer's backlog), and what ends them, one fact
// per line (tests/pending_call_test.cc):
//
//   pending_calls open-fifo FIFO
//       opens FIFO for reading: waits for a writer
//   pending_calls fifo-and-more FIFO OTHER
//       a second thread opens FIFO for reading (and waits for a writer);
//       meanwhile OTHER is stat-ed, then FIFO opened for writing, which the
//       reader was waiting for
//   pending_calls fifo-after-signal FIFO OTHER
//       waits for a SIGHUP, which it handles, then does fifo-and-more
//   pending_calls park-fifos N FIFO
//       N threads open FIFO for reading, which no writer ever opens
//   pending_calls killed-openers N FIFO
//       N children open FIFO for reading and are killed while they wait;
//       then FIFO's two ends are opened again, as often as it takes
//   pending_calls fifo-alarm FIFO
//       opens FIFO for reading with an alarm set, whose handler (without
//       SA_RESTART) must end the open with EINTR
//   pending_calls fifo-restart FIFO
//       the same with SA_RESTART, the SIGALRM sent to the waiting thread
//       itself after a second: the open goes on after the handler, and a
//       thread opens the other end a second later
//   pending_calls connect-alarm SOCKET
//       listens at SOCKET (backlog 0, never accepting), fills the backlog,
//       then connects with an alarm set, which must end it with EINTR
//   pending_calls connect-timeout SOCKET
//       the same with SO_SNDTIMEO of a second: EAGAIN, as natively
//   pending_calls connect-late SOCKET
//       the same without the alarm; a thread accepts after 600 ms, which
//       must let the waiting connect succeed
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/testcases/testcase.h"

static void* open_for_reading(void* path) {
  long fd = open((const char*)path, O_RDONLY);
  return (void*)(fd < 0 ? -errno : fd);
}

static atomic_int parked_returns, parked_eagain;

static void* park_on(void* path) {
  if (open((const char*)path, O_RDONLY) < 0 && errno == EAGAIN)
    atomic_fetch_add(&parked_eagain, 1);
  atomic_fetch_add(&parked_returns, 1);
  return NULL;
}

// Past sysgate's cap of waiting opens, one returns, with EAGAIN.
static int park_fifos(int n, const char* fifo) {
  for (int i = 0; i < n; ++i) {
    pthread_t t;
    pthread_create(&t, NULL, park_on, (void*)fifo);
  }
  for (int waited = 0; waited < 600 && atomic_load(&parked_returns) == 0;
       ++waited)
    usleep(100 * 1000);
  printf("returned = %d eagain = %d\n", atomic_load(&parked_returns),
         atomic_load(&parked_eagain));
  fflush(stdout);
  _exit(0);
}

static int fifo_and_more(const char* fifo, const char* other) {
  pthread_t reader;
  pthread_create(&reader, NULL, open_for_reading, (void*)fifo);
  usleep(200 * 1000);  // Long enough to be parked on its open, usually.
  struct stat st;
  if (stat(other, &st) == 0)
    printf("other = 0 size %lld\n", (long long)st.st_size);
  else
    print_result("other", -errno);
  int w = open(fifo, O_WRONLY);
  void* r;
  pthread_join(reader, &r);
  printf("fifo = %s\n", w >= 0 && (long)r >= 0 ? "both ends" : "failed");
  return 0;
}

static volatile sig_atomic_t hangups, alarms;
static void count_hangup(int sig) {
  (void)sig;
  ++hangups;
}
static void count_alarm(int sig) {
  (void)sig;
  ++alarms;
}

// A signal handled long before a FIFO open must not end that open: the
// broker's workers were all waiting for a notification when it came.
static int fifo_after_signal(const char* fifo, const char* other) {
  signal(SIGHUP, count_hangup);
  for (int waited = 0; waited < 600 && !hangups; ++waited) usleep(100 * 1000);
  printf("hangups = %d\n", (int)hangups);
  return fifo_and_more(fifo, other);
}

struct reader {
  const char* fifo;
  atomic_long result;  // 1 while it waits.
};

static void* read_end(void* arg) {
  struct reader* r = arg;
  long fd = open(r->fifo, O_RDONLY);
  atomic_store(&r->result, fd < 0 ? -errno : 0);
  return NULL;
}

// Both ends of FIFO, the reader waiting in a thread and the writer
// non-blocking (it fails while no reader waits): whether they met within
// about five seconds, or the reader's error.
static long both_ends(const char* fifo) {
  struct reader r = {fifo, 1};
  pthread_t t;
  pthread_create(&t, NULL, read_end, &r);
  // A refused open (EAGAIN) returns at once: wait for it before any
  // writer, whose open would also end every wait sysgate still holds.
  usleep(500 * 1000);
  for (int tries = 0; tries < 100; ++tries) {
    if (atomic_load(&r.result) != 1) break;  // It failed: no waiting.
    int w = open(fifo, O_WRONLY | O_NONBLOCK);
    if (w >= 0) {
      pthread_join(t, NULL);
      close(w);
      return atomic_load(&r.result);
    }
    usleep(50 * 1000);
  }
  if (atomic_load(&r.result) == 1) return -ETIMEDOUT;  // Left waiting.
  pthread_join(t, NULL);
  return atomic_load(&r.result);
}

// A child killed while sysgate waits on its open must give back what the
// wait holds: more of them than sysgate's cap, then the FIFO still opens.
static int killed_openers(int n, const char* fifo) {
  pid_t* children = calloc((size_t)n, sizeof(pid_t));
  for (int i = 0; i < n; ++i) {
    children[i] = fork();
    if (children[i] == 0) {
      open(fifo, O_RDONLY);
      _exit(0);
    }
  }
  usleep(500 * 1000);  // Each is waiting on its open by now, or refused.
  for (int i = 0; i < n; ++i) {
    kill(children[i], SIGKILL);
    waitpid(children[i], NULL, 0);
  }
  long r = -EAGAIN;
  int attempts = 0;
  while (r == -EAGAIN && attempts < 30) {
    ++attempts;
    r = both_ends(fifo);
    if (r == -EAGAIN) usleep(100 * 1000);
  }
  print_result("reopened after the kills", r);
  return 0;
}

// The kernel ends a FIFO open with EINTR for a handled signal without
// SA_RESTART; so must sysgate's broker. A watchdog ends the program if
// the open never returns.
static void* watchdog(void* arg) {
  (void)arg;
  sleep(20);
  printf("never returned\n");
  fflush(stdout);
  _exit(3);
}

static pthread_t opener;

// SIGALRM to the thread waiting on the FIFO's open (a signal that stays
// for it: no other thread can take it), then the FIFO's other end, for as
// long as it takes.
static void* write_end_later(void* fifo) {
  sleep(1);
  pthread_kill(opener, SIGALRM);
  sleep(1);
  for (int tries = 0; tries < 100; ++tries) {
    if (open((const char*)fifo, O_WRONLY | O_NONBLOCK) >= 0) break;
    usleep(50 * 1000);
  }
  return NULL;
}

static int fifo_alarm(const char* fifo, int restart) {
  pthread_t dog, writer;
  pthread_create(&dog, NULL, watchdog, NULL);
  opener = pthread_self();
  if (restart) pthread_create(&writer, NULL, write_end_later, (void*)fifo);
  struct sigaction sa = {0};
  sa.sa_handler = count_alarm;
  sa.sa_flags = restart ? SA_RESTART : 0;
  sigaction(SIGALRM, &sa, NULL);
  if (!restart) alarm(1);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  long r = raw(SYS_openat, AT_FDCWD, (long)fifo, O_RDONLY);
  clock_gettime(CLOCK_MONOTONIC, &end);
  print_result(restart ? "fifo-restart" : "fifo-alarm", r < 0 ? r : 0);
  printf("alarms = %d, waited = %s\n", (int)alarms,
         end.tv_sec - start.tv_sec >= 1 ? "a second or more" : "less");
  return 0;
}

static int listener = -1;

// A stream socket listening at PATH whose backlog is full: the next
// blocking connect to it waits (net/unix/af_unix.c: unix_recvq_full).
static int full_listener(const char* path, struct sockaddr_un* addr) {
  if (strlen(path) >= sizeof(addr->sun_path)) return -ENAMETOOLONG;
  memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  strncpy(addr->sun_path, path, sizeof(addr->sun_path) - 1);
  unlink(path);
  listener = socket(AF_UNIX, SOCK_STREAM, 0);
  if (bind(listener, (struct sockaddr*)addr, sizeof(*addr)) != 0 ||
      listen(listener, 0) != 0)
    return -errno;
  for (int filled = 0; filled < 16; ++filled) {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (connect(s, (struct sockaddr*)addr, sizeof(*addr)) != 0)
      return errno == EAGAIN ? 0 : -errno;
  }
  return -ENOSPC;  // Never full.
}

static void* accept_later(void* arg) {
  (void)arg;
  usleep(600 * 1000);
  accept(listener, NULL, NULL);
  return NULL;
}

enum { kAlarm, kLate, kTimeout };

static int connect_waiting(char* path, int how) {
  pthread_t dog;
  pthread_create(&dog, NULL, watchdog, NULL);
  // From its directory: TEST_TMPDIR paths outgrow sun_path.
  char* slash = strrchr(path, '/');
  if (slash != NULL) {
    *slash = '\0';
    if (chdir(path) != 0) return 2;
    path = slash + 1;
  }
  struct sockaddr_un addr;
  long r = full_listener(path, &addr);
  if (r < 0) {
    print_result("listen", r);
    return 0;
  }
  pthread_t acceptor;
  if (how == kAlarm) {
    struct sigaction sa = {0};
    sa.sa_handler = count_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
  } else if (how == kLate) {
    pthread_create(&acceptor, NULL, accept_later, NULL);
  }
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  if (how == kTimeout) {
    struct timeval second = {1, 0};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &second, sizeof(second));
  }
  r = connect(s, (struct sockaddr*)&addr, sizeof(addr)) == 0 ? 0 : -errno;
  static const char* const kNames[] = {"connect-alarm", "connect-late",
                                       "connect-timeout"};
  print_result(kNames[how], r);
  printf("alarms = %d\n", (int)alarms);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const char* mode = argv[1];
  char* a = argv[2];
  const char* b = argc > 3 ? argv[3] : "";
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (!strcmp(mode, "open-fifo")) {
    print_result("open-fifo", raw(SYS_openat, AT_FDCWD, (long)a, O_RDONLY));
    return 0;
  }
  if (!strcmp(mode, "fifo-and-more")) return fifo_and_more(a, b);
  if (!strcmp(mode, "fifo-after-signal")) return fifo_after_signal(a, b);
  if (!strcmp(mode, "park-fifos")) return park_fifos(atoi(a), b);
  if (!strcmp(mode, "killed-openers")) return killed_openers(atoi(a), b);
  if (!strcmp(mode, "fifo-alarm")) return fifo_alarm(a, 0);
  if (!strcmp(mode, "fifo-restart")) return fifo_alarm(a, 1);
  if (!strcmp(mode, "connect-alarm")) return connect_waiting(a, kAlarm);
  if (!strcmp(mode, "connect-late")) return connect_waiting(a, kLate);
  if (!strcmp(mode, "connect-timeout")) return connect_waiting(a, kTimeout);
  return 2;
}
