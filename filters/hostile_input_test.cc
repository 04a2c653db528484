// Hostile input (issue 7, a first step before libFuzzer targets): seeded
// random mutations of real inputs go through every text reader. None may
// crash, hang or accept garbage silently: each returns a policy or a
// located error.
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/match.h"
#include "filters/json.h"
#include "filters/oci.h"
#include "filters/parser.h"
#include "filters/resolve.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

std::string Mutate(const std::string& seed, std::mt19937_64& rng) {
  std::string s = seed;
  int edits = 1 + rng() % 8;
  static const char kAlphabet[] =
      "(){}[]&|!=<>,\"\\#\n /*-0123456789abcxyzEO_:";
  for (int i = 0; i < edits && !s.empty(); ++i) {
    size_t at = rng() % s.size();
    switch (rng() % 4) {
      case 0:
        s.erase(at, 1 + rng() % 4);
        break;
      case 1:
        s.insert(at, 1, kAlphabet[rng() % (sizeof(kAlphabet) - 1)]);
        break;
      case 2:
        s[at] = static_cast<char>(rng() % 256);
        break;
      case 3:
        s.insert(at, s.substr(rng() % s.size(), 1 + rng() % 16));
        break;
    }
  }
  return s;
}

// Errors must be located, in the CLI's form.
void ExpectLocated(const absl::Status& s, const std::string& file,
                   const std::string& input) {
  if (s.ok()) return;
  EXPECT_TRUE(absl::StartsWith(s.message(), file + ":"))
      << s.message() << "\n--- input ---\n"
      << input;
  EXPECT_TRUE(absl::StrContains(s.message(), ": error: ")) << s.message();
}

TEST(HostileInputTest, PolicyText) {
  const std::string seed =
      "# seed\ndefault errno(EPERM)\nallow read, write\nerrno(EACCES) openat "
      "if (flags & O_ACCMODE) != O_RDONLY\n"
      "emulate(-1) getuid\nallow mmap if prot == PROT_READ|PROT_EXEC || !(arg3 "
      ">= 0x10)\n"
      "broker read /usr/**, /etc/ld.so.cache\nbroker default "
      "errno(ENOENT)\nkill-thread ptrace\n";
  std::mt19937_64 rng(7);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string input = Mutate(seed, rng);
    FileLoader no_files =
        [](const std::string&) -> absl::StatusOr<std::string> {
      return absl::NotFoundError("no includes here");
    };
    absl::StatusOr<Policy> p = ParsePolicy(input, "h.policy", no_files);
    ExpectLocated(p.status(), "h.policy", input);
    if (!p.ok()) continue;
    ++parsed;
    for (AbiId abi : AllAbis())
      ExpectLocated(ResolvePolicy(*p, abi).status(), "h.policy", input);
  }
  EXPECT_GT(parsed, 100);  // The mutations keep some inputs valid, too.
}

TEST(HostileInputTest, OciProfiles) {
  std::ifstream in(std::string(getenv("TEST_SRCDIR")) +
                   "/sysgate/filters/testdata/docker-default-seccomp.json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string docker = ss.str();
  ASSERT_FALSE(docker.empty());
  // The interesting tail: a conditional entry and the end of the document.
  std::string seed = docker.substr(docker.size() - 3000);
  seed = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [" +
         seed.substr(seed.find('{'));
  OciContext ctx;
  ctx.arches = {"amd64"};
  ctx.kernel_release = "6.1.0";
  std::mt19937_64 rng(11);
  for (int i = 0; i < 5000; ++i) {
    std::string input = Mutate(seed, rng);
    ExpectLocated(ParseOciProfile(input, "h.json", ctx).status(), "h.json",
                  input);
  }
  // Deep nesting is refused, not recursed into.
  std::string deep(100000, '[');
  EXPECT_FALSE(ParseJson(deep, "deep.json").ok());
}

}  // namespace
}  // namespace sysgate
