// End to end: the socket calls that may name a file under `broker` rules
// (issue 14), performed by sysgate on the program's own socket: AF_UNIX
// sockets outside the grants neither reached nor made, on either ABI
// (i386's glibc makes them through socketcall), the same calls inside the
// write grant working, a thread swapping the address under the call, and
// a send that waits for room ended by the caller's own signal.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "tests/mediation_fixture.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;

// The testcase built for each ABI this host supervises.
std::vector<std::string> BothAbis() {
  std::vector<std::string> programs = {"file_changes"};
  if (HasCompatAbi()) programs.push_back("file_changes32");
  return programs;
}

// A socket of the test's own at PATH (stream sockets listening), outside
// sysgate: what the program reaches, or must not.
class TestSocket {
 public:
  TestSocket(const std::string& path, int type) : path_(path) {
    fd_ = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    // From its directory: TEST_TMPDIR paths outgrow sun_path.
    std::string dir = path.substr(0, path.rfind('/'));
    std::string name = path.substr(path.rfind('/') + 1);
    int cwd = open(".", O_PATH | O_CLOEXEC);
    EXPECT_EQ(chdir(dir.c_str()), 0);
    struct sockaddr_un addr = {AF_UNIX, {0}};
    memcpy(addr.sun_path, name.data(), name.size());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
        << strerror(errno);
    EXPECT_EQ(fchdir(cwd), 0);
    close(cwd);
    if (type == SOCK_STREAM) {
      EXPECT_EQ(listen(fd_, 8), 0);
    }
  }
  ~TestSocket() {
    close(fd_);
    unlink(path_.c_str());
  }
  // Datagrams received, and descriptors passed with them.
  int Received(int* passed = nullptr) {
    int n = 0;
    char buf[64];
    union {
      struct cmsghdr align;
      char buf[CMSG_SPACE(sizeof(int) * 4)];
    } control;
    while (true) {
      struct iovec iov = {buf, sizeof(buf)};
      struct msghdr msg = {
          nullptr, 0, &iov, 1, control.buf, sizeof(control.buf), 0};
      if (recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0) return n;
      ++n;
      for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr;
           c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_type != SCM_RIGHTS || passed == nullptr) continue;
        ++*passed;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof(fd));
        close(fd);
      }
    }
  }
  // Connections waiting to be accepted.
  bool Accepts() {
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return false;
    close(c);
    return true;
  }

 private:
  std::string path_;
  int fd_;
};

// AF_UNIX sockets outside every grant: neither reached nor made, by any
// of the calls that take an address, on either ABI (i386's glibc makes
// them through socketcall).
TEST_P(MediationTest, SocketsOutsideTheGrantsAreUnreachable) {
  SKIP_WITHOUT_SOCKETS(work_);
  TestSocket stream(root_ + "/forbidden/stream.sock", SOCK_STREAM);
  TestSocket dgram(root_ + "/forbidden/dgram.sock", SOCK_DGRAM);
  for (const std::string& program : BothAbis()) {
    // From the write grant: the program may not look into forbidden/.
    std::string there = work_ + "//../forbidden/";
    ExpectRefused({"connect-unix", there + "stream.sock"}, program);
    for (const char* send : {"sendto-unix", "sendmsg-unix", "sendmmsg-unix"})
      ExpectRefused({send, there + "dgram.sock"}, program);
    ExpectRefused({"bind-unix", there + "made.sock"}, program);
    ExpectRefused({"inotify", secret_}, program);
  }
  EXPECT_FALSE(stream.Accepts());
  EXPECT_EQ(dgram.Received(), 0);
  EXPECT_FALSE(Exists(root_ + "/forbidden/made.sock"));
}

TEST_P(MediationTest, SocketsInsideTheWriteGrantWork) {
  SKIP_WITHOUT_SOCKETS(work_);
  TestSocket stream(work_ + "/stream.sock", SOCK_STREAM);
  TestSocket dgram(work_ + "/dgram.sock", SOCK_DGRAM);
  for (const std::string& program : BothAbis()) {
    EXPECT_THAT(Call({"connect-unix", work_ + "/stream.sock"}, program).out,
                HasSubstr("connect-unix = 0\n"));
    EXPECT_TRUE(stream.Accepts()) << program;
    EXPECT_THAT(Call({"sendto-unix", work_ + "/dgram.sock"}, program).out,
                HasSubstr("sendto-unix = 8\n"));
    EXPECT_THAT(Call({"sendmmsg-unix", work_ + "/dgram.sock"}, program).out,
                HasSubstr("sendmmsg-unix = 2\n"));
    EXPECT_EQ(dgram.Received(), 3) << program;
    // The descriptor it passes is its own, fetched from it.
    Outcome sent = Call({"sendmsg-unix", work_ + "/dgram.sock"}, program);
    EXPECT_THAT(sent.out, HasSubstr("sendmsg-unix = 8\n")) << sent.err;
    int passed = 0;
    EXPECT_EQ(dgram.Received(&passed), 1) << program;
    EXPECT_EQ(passed, 1) << program;
    std::string made = absl::StrCat(work_, "/made-", program, ".sock");
    EXPECT_THAT(Call({"bind-unix", made}, program).out,
                HasSubstr("bind-unix = 0\n"));
    EXPECT_TRUE(S_ISSOCK(StatOf(made).st_mode)) << made;
    EXPECT_THAT(Call({"inotify", work_ + "/good"}, program).out,
                HasSubstr("inotify = 1\n"));
  }
}

// A send that waits for room waits on a thread of sysgate's own, and the
// caller's own signal still ends it, as it ends a blocking send natively.
TEST_P(MediationTest, ASignalEndsASendThatWaits) {
  SKIP_WITHOUT_SOCKETS(work_);
  TestSocket full(work_ + "/full.sock", SOCK_DGRAM);
  Outcome o = Call({"blocked-send", work_ + "/full.sock", "alarm"});
  EXPECT_THAT(o.out, HasSubstr("blocked-send = -1 EINTR\n")) << o.err;
  // sendto's null address means none, whatever the length beside it.
  TestSocket peer(work_ + "/peer.sock", SOCK_DGRAM);
  EXPECT_THAT(Call({"blocked-send", work_ + "/peer.sock", "null"}).out,
              HasSubstr("blocked-send = 8\n"));
  EXPECT_EQ(peer.Received(), 1);
}

// A second thread swaps the address's path for a socket outside the
// grants while the first sends: sysgate sends what it read and checked, so
// the forbidden socket never gets a datagram.
TEST_P(MediationTest, SwappingASocketAddressReachesNothing) {
  SKIP_WITHOUT_SOCKETS(work_);
  TestSocket good(work_ + "/good.sock", SOCK_DGRAM);
  TestSocket bad(root_ + "/forbidden/bad.sock", SOCK_DGRAM);
  Outcome o =
      Call({"race-send", work_ + "/good.sock", "../forbidden/bad.sock"});
  EXPECT_THAT(o.out, HasSubstr("sent = some\n")) << o.err;
  EXPECT_GT(good.Received(), 0);
  EXPECT_EQ(bad.Received(), 0);
  if (!HasCompatAbi()) return;
  // i386's socketcall, its address argument in memory swapped between
  // none (the connected peer) and the forbidden socket.
  o = Call({"race-socketcall", work_ + "/good.sock", "../forbidden/bad.sock"},
           "file_changes32");
  EXPECT_THAT(o.out, HasSubstr("sent = some\n")) << o.err;
  EXPECT_GT(good.Received(), 0);
  EXPECT_EQ(bad.Received(), 0);
}

INSTANTIATE_TEST_SUITE_P(LandlockOnAndOff, MediationTest,
                         ::testing::ValuesIn(kLandlockModes), LandlockModeName);

}  // namespace
}  // namespace sysgate::testing
