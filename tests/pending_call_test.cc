// End to end: brokered calls that wait (a FIFO's open for its other end),
// each on a thread of its own (issue 14), and everything that ends such a
// wait: the other end, sysgate's cap, a forwarded signal, the caller's own
// signal, the caller's death (tests/testcases/pending_calls.c).
#include <signal.h>
#include <sys/stat.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "tests/mediation_fixture.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;

// TSan runs a signal handler only when the thread it interrupted next
// passes through TSan's own code: sysgate's event loop, blocked in a raw
// waitid that SA_RESTART restarts, never does while nothing else happens.
#ifdef __SANITIZE_THREAD__
#define SKIP_UNDER_TSAN_FORWARDER()                                   \
  GTEST_SKIP() << "TSan defers the signal forwarder while sysgate's " \
                  "event loop waits in a raw waitid"
#else
#define SKIP_UNDER_TSAN_FORWARDER() (void)0
#endif

// A new FIFO at PATH (one left by an earlier run removed).
std::string NewFifo(const std::string& path) {
  unlink(path.c_str());
  EXPECT_EQ(mkfifo(path.c_str(), 0644), 0) << path;
  return path;
}

// Once the program runs and has had time to get going, `signal` to sysgate.
std::function<void(pid_t)> SignalOnceStarted(int signal) {
  return [signal](pid_t sysgate) {
    ASSERT_NE(FindProgram(sysgate, "pending_calls"), 0);
    usleep(300 * 1000 * TimeoutScale());
    kill(sysgate, signal);
  };
}

// A FIFO's open waits for its other end on a thread of its own: other
// calls are served meanwhile, and the other end, brokered too, meets it.
TEST_P(MediationTest, AFifoOpenParksNothing) {
  SKIP_WITHOUT_FIFOS(work_);
  std::string fifo = NewFifo(work_ + "/fifo-more");
  Outcome o = Call({"fifo-and-more", fifo, work_ + "/good"}, "pending_calls");
  EXPECT_THAT(o.out, HasSubstr("other = 0 size 13\nfifo = both ends\n"))
      << o.err;
}

// A program parking thread after thread on FIFO opens no one will answer
// cannot make sysgate start threads without bound: past 64, EAGAIN.
TEST_P(MediationTest, ParkedOpensAreCapped) {
  SKIP_WITHOUT_FIFOS(work_);
  std::string fifo = NewFifo(work_ + "/fifo-capped");
  Outcome o = Call({"park-fifos", "65", fifo}, "pending_calls");
  EXPECT_THAT(o.out, HasSubstr("returned = 1 eagain = 1\n")) << o.err;
}

// SIGTERM to sysgate while its program waits on a brokered FIFO open:
// forwarded, the open interrupted, and sysgate ends as the program does.
TEST_P(MediationTest, SigtermEndsARunParkedOnAFifo) {
  SKIP_WITHOUT_FIFOS(work_);
  SKIP_UNDER_TSAN_FORWARDER();
  std::string fifo = NewFifo(work_ + "/fifo-parked");
  Outcome o = RunSysgate({"run", Landlock(), "--policy=" + policy_, "--",
                          Tracee("pending_calls"), "open-fifo", fifo},
                         SignalOnceStarted(SIGTERM));  // Parked on the open.
  EXPECT_EQ(o.status, 128 + SIGTERM) << o.out << o.err;
}

// A signal sysgate forwarded while its workers all waited for a
// notification ends no later call: the FIFO open after it, with its
// writer, succeeds.
TEST_P(MediationTest, AnEarlierSignalEndsNoLaterOpen) {
  SKIP_WITHOUT_FIFOS(work_);
  SKIP_UNDER_TSAN_FORWARDER();
  std::string fifo = NewFifo(work_ + "/fifo-late");
  Outcome o = RunSysgate(
      {"run", Landlock(), "--policy=" + policy_, "--", Tracee("pending_calls"),
       "fifo-after-signal", fifo, work_ + "/good"},
      SignalOnceStarted(SIGHUP));  // Its handler installed by then.
  EXPECT_THAT(o.out, HasSubstr("hangups = 1\nother = 0 size 13\n"
                               "fifo = both ends\n"))
      << o.err;
}

// A program killing child after child while each waits on a brokered
// FIFO open: each wait's slot comes back (its thread is woken every
// kPendingWakeMs and finds its caller gone), so more of them than
// sysgate's cap leave the FIFO openable.
TEST_P(MediationTest, AKilledCallersWaitIsGivenBack) {
  SKIP_WITHOUT_FIFOS(work_);
  std::string fifo = NewFifo(work_ + "/fifo-killed");
  Outcome o = Call({"killed-openers", "70", fifo}, "pending_calls");
  EXPECT_THAT(o.out, HasSubstr("reopened after the kills = 0\n")) << o.err;
  EXPECT_EQ(o.status, 0) << o.err;
}

// The program's own handled signal ends a brokered FIFO open as the
// kernel's would: with EINTR (an alarm, without SA_RESTART); with
// SA_RESTART (sent to the waiting thread, so that it stays for it) the
// open goes on after the handler: the broker ends the call with
// ERESTARTSYS, the kernel restarts it, and the writer then meets it.
TEST_P(MediationTest, ACallersOwnSignalEndsItsFifoOpenAsNatively) {
  SKIP_WITHOUT_FIFOS(work_);
  for (const char* mode : {"fifo-alarm", "fifo-restart"}) {
    std::string fifo = NewFifo(absl::StrCat(work_, "/", mode));
    Outcome o = Call({mode, fifo}, "pending_calls");
    std::string result = absl::StrCat(
        mode, mode == std::string("fifo-alarm") ? " = -1 EINTR\n" : " = 0\n");
    EXPECT_THAT(o.out,
                HasSubstr(result + "alarms = 1, waited = a second or more\n"))
        << o.err;
  }
}

// A stream connect waiting for room in its peer's backlog: the program's
// own alarm ends it with EINTR, as the kernel's would; without one, the
// broker's periodic wake-ups end nothing, and the connect succeeds once
// the peer accepts.
TEST_P(MediationTest, AWaitingConnectEndsAsTheKernelsWould) {
  SKIP_WITHOUT_SOCKETS(work_);
  Outcome alarmed =
      Call({"connect-alarm", work_ + "/fa.sock"}, "pending_calls");
  EXPECT_THAT(alarmed.out, HasSubstr("connect-alarm = -1 EINTR\nalarms = 1\n"))
      << alarmed.err;
  Outcome late = Call({"connect-late", work_ + "/fl.sock"}, "pending_calls");
  EXPECT_THAT(late.out, HasSubstr("connect-late = 0\nalarms = 0\n"))
      << late.err;
  // Its SO_SNDTIMEO too, though every wake-up starts a connect anew.
  Outcome timed =
      Call({"connect-timeout", work_ + "/ft.sock"}, "pending_calls");
  EXPECT_THAT(timed.out, HasSubstr("connect-timeout = -1 EAGAIN\n"))
      << timed.err;
}

INSTANTIATE_TEST_SUITE_P(LandlockOnAndOff, MediationTest,
                         ::testing::ValuesIn(kLandlockModes), LandlockModeName);

}  // namespace
}  // namespace sysgate::testing
