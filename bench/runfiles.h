// Where a benchmark's data dependencies are: $RUNFILES_DIR, or next to the
// binary under `bazel run`.
#ifndef SYSGATE_BENCH_RUNFILES_H_
#define SYSGATE_BENCH_RUNFILES_H_

#include <cstdlib>
#include <string>

namespace sysgate::bench {

class Runfiles {
 public:
  explicit Runfiles(const char* argv0) {
    const char* dir = getenv("RUNFILES_DIR");
    root_ = dir ? dir : std::string(argv0) + ".runfiles";
  }
  std::string Path(const std::string& path) const {
    return root_ + "/sysgate/" + path;
  }

 private:
  std::string root_;
};

}  // namespace sysgate::bench

#endif  // SYSGATE_BENCH_RUNFILES_H_
