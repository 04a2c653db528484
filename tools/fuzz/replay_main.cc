// A main() for fuzz targets built without libFuzzer (gcc, and the asan and
// tsan configurations): it takes libFuzzer's command line (-runs=N,
// -seed=S, corpus directories; other flags ignored), runs every file in the
// directories, then N mutations of them. Not coverage-guided: it finds
// what random edits of good inputs find, deterministically, on every
// build. `bazel test --config=fuzz` runs the same targets under libFuzzer.
#include <dirent.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void ReadDirectory(const std::string& dir, std::vector<std::string>& inputs) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  for (struct dirent* e; (e = readdir(d)) != nullptr;) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(dir + "/" + e->d_name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    inputs.push_back(text.str());
  }
  closedir(d);
}

// One to eight edits: bit flips, byte changes, insertions, deletions,
// duplicated runs, and splices with another input.
std::string Mutate(const std::vector<std::string>& inputs,
                   std::mt19937_64& rng) {
  std::string s = inputs[rng() % inputs.size()];
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits; ++i) {
    size_t at = s.empty() ? 0 : rng() % s.size();
    switch (rng() % 6) {
      case 0:
        if (!s.empty()) s[at] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 1:
        if (!s.empty()) s[at] = static_cast<char>(rng());
        break;
      case 2:
        s.insert(at, 1, static_cast<char>(rng()));
        break;
      case 3:
        if (!s.empty()) s.erase(at, 1 + rng() % 16);
        break;
      case 4:
        if (!s.empty()) s.insert(at, s.substr(rng() % s.size(), rng() % 32));
        break;
      case 5: {
        const std::string& other = inputs[rng() % inputs.size()];
        if (!other.empty())
          s.insert(at, other.substr(rng() % other.size(), rng() % 64));
        break;
      }
    }
  }
  return s.size() > 4096 ? s.substr(0, 4096) : s;
}

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()),
                         input.size());
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 10000;
  unsigned long seed = 1;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    if (strncmp(argv[i], "-runs=", 6) == 0) {
      runs = strtol(argv[i] + 6, nullptr, 10);
    } else if (strncmp(argv[i], "-seed=", 6) == 0) {
      seed = strtoul(argv[i] + 6, nullptr, 10);
    } else if (argv[i][0] != '-') {
      ReadDirectory(argv[i], inputs);
    }
  }
  if (inputs.empty()) inputs.push_back("");
  for (const std::string& input : inputs) Run(input);
  std::mt19937_64 rng(seed);
  for (long i = 0; i < runs; ++i) Run(Mutate(inputs, rng));
  printf("replay: %zu seeds, %ld mutations, no failure\n", inputs.size(), runs);
  return 0;
}
