// Running benchmark configurations and printing their ratios.
#ifndef SYSGATE_BENCH_MEASURE_H_
#define SYSGATE_BENCH_MEASURE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace sysgate::bench {

struct Config {
  std::string name;
  std::vector<std::string> argv;
  // 0: the workload prints "ns_per_call N"; otherwise the command's wall
  // time divided by this many iterations.
  int64_t iterations = 0;
};

struct Measurement {
  double ns = -1;
  std::string output;
};

// Runs one configuration once, on CPU 0 only when `pinned`.
Measurement Measure(const Config& config, bool pinned);

// A value "KEY N" printed by the workload, or -1.
double Value(const std::string& output, const std::string& key);

// Runs each configuration `repeat` times and prints median/min/max and the
// ratio to the first row.
void RunGroup(const std::string& title, const std::vector<Config>& configs,
              int repeat, bool pinned);

}  // namespace sysgate::bench

#endif  // SYSGATE_BENCH_MEASURE_H_
