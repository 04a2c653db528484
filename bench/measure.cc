#include "bench/measure.h"

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace sysgate::bench {

Measurement Measure(const Config& config, bool pinned) {
  Measurement m;
  int out[2];
  if (pipe(out) != 0) return m;
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    if (pinned) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(0, &one);
      sched_setaffinity(0, sizeof(one), &one);
    }
    dup2(out[1], 1);
    close(out[0]);
    std::vector<char*> args;
    for (const std::string& a : config.argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof(buf))) > 0) m.output.append(buf, n);
  close(out[0]);
  int status;
  waitpid(pid, &status, 0);
  double wall = std::chrono::duration<double, std::nano>(
                    std::chrono::steady_clock::now() - start)
                    .count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return m;
  m.ns = config.iterations > 0 ? wall / config.iterations
                               : Value(m.output, "ns_per_call");
  return m;
}

double Value(const std::string& output, const std::string& key) {
  size_t at = output.find(key + " ");
  return at == std::string::npos ? -1
                                 : atof(output.c_str() + at + key.size() + 1);
}

void RunGroup(const std::string& title, const std::vector<Config>& configs,
              int repeat, bool pinned) {
  printf("\n%s (%s)\n", title.c_str(), pinned ? "pinned to CPU 0" : "unpinned");
  printf("  %-46s %12s %12s %12s %7s\n", "configuration", "median ns", "min",
         "max", "ratio");
  // Round-robin, one run of each configuration per round: a drift of the
  // machine (a neighbour's load, caches a slow configuration evicts) then
  // falls on every configuration alike, not on whichever ran during it.
  std::vector<std::vector<double>> runs(configs.size());
  for (int r = 0; r < repeat; ++r) {
    for (size_t i = 0; i < configs.size(); ++i)
      runs[i].push_back(Measure(configs[i], pinned).ns);
  }
  double reference = 0;
  for (size_t i = 0; i < configs.size(); ++i) {
    std::vector<double>& times = runs[i];
    std::sort(times.begin(), times.end());
    double median = times[times.size() / 2];
    if (median <= 0) {
      printf("  %-46s %12s\n", configs[i].name.c_str(), "failed");
      continue;
    }
    if (reference == 0) reference = median;
    printf("  %-46s %12.1f %12.1f %12.1f %7.2f\n", configs[i].name.c_str(),
           median, times.front(), times.back(), median / reference);
  }
  fflush(stdout);
}

}  // namespace sysgate::bench
