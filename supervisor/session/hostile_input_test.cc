// Hostile command-line values (issue 7): --inject and --fake-time specs,
// mutated at random, return a value or an error; nothing crashes.
#include <random>

#include "gtest/gtest.h"
#include "supervisor/engine/inject_spec.h"
#include "supervisor/fake_time/fake_time.h"

namespace sysgate {
namespace {

std::string Mutate(const std::string& seed, std::mt19937_64& rng) {
  std::string s = seed;
  static const char kAlphabet[] = ":,=+.0123456789EAGINOPRSUZ-@Tx";
  for (int i = 0, edits = 1 + rng() % 5; i < edits && !s.empty(); ++i) {
    size_t at = rng() % s.size();
    if (rng() % 2) {
      s.erase(at, 1 + rng() % 3);
    } else {
      s.insert(at, 1, kAlphabet[rng() % (sizeof(kAlphabet) - 1)]);
    }
  }
  return s;
}

TEST(HostileInputTest, InjectSpecs) {
  std::mt19937_64 rng(3);
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string spec =
        Mutate("read,write:error=ENOSPC:signal=SIGUSR1:when=2..40+3", rng);
    absl::StatusOr<InjectSpec> s = ParseInjectSpec(spec);
    if (s.ok()) {
      ++ok;
      EXPECT_GE(s->when.first, 1u);
      EXPECT_GE(s->when.step, 1u);
    } else {
      EXPECT_EQ(s.status().message().substr(0, 9), "--inject=") << s.status();
    }
  }
  EXPECT_GT(ok, 100);
}

TEST(HostileInputTest, FakeTimeSpecs) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20000; ++i) {
    std::string spec =
        Mutate(i % 2 ? "@946684800" : "2021-03-04T05:06:07Z", rng);
    absl::StatusOr<absl::Time> t = FakeTime::Parse(spec);
    if (!t.ok()) {
      EXPECT_EQ(t.status().message().substr(0, 12), "--fake-time:")
          << t.status();
    }
  }
}

}  // namespace
}  // namespace sysgate
