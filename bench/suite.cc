// sysgate's benchmark suite for the core (issue 2): every configuration
// measured in this one run, repeated, with median/min/max and the ratio to
// its reference. Times come from inside the workload (ns per call), so
// start-up is excluded.
//
//   bazel run -c opt //bench:suite -- [CALLS] [REPEAT]
//
// Groups:
//   untraced getppid: native (reference), the kernel's floor for any filter
//     (bench/allow_all.c), sysgate's built-in default policy,
//     a 300-rule policy, strace -f --seccomp-bpf tracing only openat;
//   emulated getppid (returns 42): the minimal C tracer (reference),
//     sysgate emulate(42), strace -f --seccomp-bpf inject retval=42;
//   open+read+close of one file: native (reference), the least a
//     notification broker can do (bench/open_floor.c), sysgate's broker
//     (every open seen: reported, and --quiet with --landlock=strict),
//     Landlock alone (--quiet, `broker read /**`), sysgate `log openat`,
//     strace -f
//     --seccomp-bpf -e trace=openat, and proot (Debian's, whose seccomp
//     acceleration is disabled: it stops on every call);
//   the same from 2 threads at once under the reported broker, against 1
//     (unpinned only: the point is two CPUs);
//   tar cf /dev/null /usr/share/doc: native (reference), the kernel's floor
//     for any filter (about 27,000 calls, start-up included), under `broker
//     read /**` + `broker write /dev/null` with --quiet (Landlock alone),
//     --landlock=strict and reported, and the tools above.
// Each group runs pinned to one CPU (tracer and tracee together) and
// unpinned: on this VM a cross-CPU wake-up costs more than everything else.
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "arch/abi.h"
#include "bench/measure.h"
#include "bench/runfiles.h"

namespace sysgate {
namespace {

using bench::Config;
using bench::RunGroup;

std::string TempPolicy(const std::string& name, const std::string& text) {
  std::string path = absl::StrCat("/tmp/sysgate-bench-", getpid(), "-", name);
  std::ofstream(path) << text;
  return path;
}

std::string ThreeHundredRules() {
  // 300 conditional denials that never match (arg0 == 0x5ca1ab1e), on calls
  // other than the workload's: getppid's own path stays unconditional.
  std::string text = "default allow\n";
  int n = 0;
  for (const SyscallDesc& d : GetAbi(AbiId::kX86_64).syscalls()) {
    if (d.name == "getppid" || n == 300) continue;
    absl::StrAppend(&text, "errno(EPERM) ", d.name, " if arg0 == 0x5ca1ab1e\n");
    ++n;
  }
  return text;
}

int Main(int argc, char** argv) {
  bench::Runfiles runfiles(argv[0]);
  std::string calls = argc > 1 ? argv[1] : "200000";
  std::string traced_calls = argc > 1 ? argv[1] : "20000";
  int repeat = argc > 2 ? atoi(argv[2]) : 5;
  std::set<std::string> groups;
  for (int i = 3; i < argc; ++i) groups.insert(argv[i]);
  auto wanted = [&](const char* g) {
    return groups.empty() || groups.count(g);
  };
  std::string sysgate = runfiles.Path("cli/sysgate");
  std::string loop = runfiles.Path("bench/getppid_loop");
  bool have_strace = access("/usr/bin/strace", X_OK) == 0;
  bool have_proot = access("/usr/bin/proot", X_OK) == 0;
  std::vector<std::string> strace = {"strace", "-f", "-o", "/dev/null"};
  auto with = [](std::vector<std::string> a,
                 const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  std::string rules300 = TempPolicy("300.policy", ThreeHundredRules());
  std::string emulate = TempPolicy("emulate.policy", "emulate(42) getppid\n");
  std::string log_getppid = TempPolicy("log-getppid.policy", "log getppid\n");
  std::string errno_getppid =
      TempPolicy("errno-getppid.policy", "errno(EPERM) getppid\n");
  std::string log_openat = TempPolicy("log-openat.policy", "log openat\n");
  std::string broker = TempPolicy(
      "broker.policy",
      "broker read /usr/**, /lib/**, /lib64/**, /etc/**, /tmp/**, /proc/**\n"
      "broker write /dev/null\n");
  std::string read_all = TempPolicy(
      "read-all.policy", "broker read /**\nbroker write /dev/null\n");
  // Narrower grants Landlock expresses exactly, with the benchmark's own
  // programs granted to run.
  char real[PATH_MAX];
  std::string bench_dir =
      realpath(runfiles.Path("bench/open_loop").c_str(), real) ? real : "/";
  bench_dir.resize(bench_dir.rfind('/'));
  std::string read_usr = TempPolicy(
      "read-usr.policy",
      absl::StrCat("broker read /usr/**, /etc/**, /tmp/**, ", bench_dir,
                   "/**\nbroker write /dev/null\nbroker exec /usr/bin/*, ",
                   bench_dir, "/*\n"));
  std::string target = TempPolicy("open-target", "0123456789\n");
  std::vector<std::string> run = {sysgate, "run", "--"};
  auto run_with = [&](const std::string& policy,
                      std::vector<std::string> rest) {
    return with({sysgate, "run", "--quiet", "--policy=" + policy, "--"}, rest);
  };

  std::vector<Config> untraced = {
      {"native (no filter)", {loop, calls}},
      {"kernel floor: 1-instruction allow-all filter",
       {runfiles.Path("bench/allow_all"), loop, calls}},
      {"sysgate, built-in default policy", with(run, {loop, calls})},
      {"sysgate, 300 conditional rules", run_with(rules300, {loop, calls})},
  };
  std::vector<Config> traced = {
      {"minimal C tracer (bench/min_tracer.c)",
       {runfiles.Path("bench/min_tracer"), loop, traced_calls}},
      {"sysgate emulate(42)", run_with(emulate, {loop, traced_calls})},
      {"sysgate errno (reported: --log=/dev/null)",
       with({sysgate, "run", "--quiet", "--log=/dev/null",
             "--policy=" + errno_getppid, "--"},
            {loop, traced_calls})},
      {"sysgate log (stop, then allow)",
       run_with(log_getppid, {loop, traced_calls})},
      {"sysgate result rewrite (exit stop too)",
       with({sysgate, "run", "--quiet",
             "--inject=getppid:syscall=getppid:retval=42", "--"},
            {loop, traced_calls})},
      {"USER_NOTIF floor (bench/notify_floor.c), context",
       {runfiles.Path("bench/notify_floor"), traced_calls}},
  };
  std::string opens = argc > 1 ? argv[1] : "20000";
  std::string open_loop = runfiles.Path("bench/open_loop");
  auto run_strict = [&](const std::string& policy,
                        std::vector<std::string> rest) {
    return with({sysgate, "run", "--quiet", "--landlock=strict",
                 "--policy=" + policy, "--"},
                rest);
  };
  auto run_reported = [&](const std::string& policy,
                          std::vector<std::string> rest) {
    return with({sysgate, "run", "--policy=" + policy, "--"}, rest);
  };
  std::vector<Config> open_heavy = {
      {"native", {open_loop, target, opens}},
      {"minimal notification broker (bench/open_floor.c)",
       {runfiles.Path("bench/open_floor"), target, opens}},
      {"sysgate broker, reported (every open seen)",
       run_reported(broker, {open_loop, target, opens})},
      {"sysgate broker, --quiet --landlock=strict",
       run_strict(broker, {open_loop, target, opens})},
      {"sysgate read /usr/** /etc/** /tmp/**, --quiet (Landlock alone)",
       run_with(read_usr, {open_loop, target, opens})},
      {"sysgate log openat", run_with(log_openat, {open_loop, target, opens})},
  };
  // Throughput of the reported broker with two of the program's threads
  // opening at once (the notification server's workers serve both), per
  // open across both: the 1-thread row is the reference.
  std::vector<Config> open_threads = {
      {"sysgate broker, reported, 1 thread",
       run_reported(broker, {open_loop, target, opens, "1"})},
      {"sysgate broker, reported, 2 threads at once",
       run_reported(broker, {open_loop, target, opens, "2"})},
      {"native, 1 thread (context)", {open_loop, target, opens, "1"}},
      {"native, 2 threads (context)", {open_loop, target, opens, "2"}},
  };
  std::vector<std::string> tar = {"tar", "cf", "/dev/null", "/usr/share/doc"};
  std::vector<Config> tree = {
      {"native", tar, 1},
      // Whatever sysgate does, a filter on every call of tar's ~27,000.
      {"kernel floor: 1-instruction allow-all filter",
       with({runfiles.Path("bench/allow_all")}, tar), 1},
      {"sysgate log openat", run_with(log_openat, tar), 1},
      {"sysgate read /usr/** /etc/**, --quiet (Landlock alone)",
       run_with(read_usr, tar), 1},
      {"sysgate read /usr/** /etc/**, --quiet --landlock=strict",
       run_strict(read_usr, tar), 1},
      {"sysgate read /**, --quiet (Landlock alone)", run_with(read_all, tar),
       1},
      {"sysgate read /**, reported", run_reported(read_all, tar), 1},
  };
  const int64_t kForks = 2000;
  std::vector<std::string> forks = {
      "/bin/sh", "-c",
      "i=0; while [ $i -lt 2000 ]; do /bin/true; i=$((i+1)); done"};
  // A small generated project: 40 C files, built with make -j2.
  std::string project = absl::StrCat("/tmp/sysgate-bench-make-", getpid());
  {
    std::string mk =
        absl::StrCat("mkdir -p ", project, " && cd ", project,
                     " && for i in $(seq 1 40); do printf 'int f%d(int "
                     "x){return x*%d;}\\n' $i $i > f$i.c; done",
                     " && printf 'OBJS=$(patsubst %%.c,%%.o,$(wildcard "
                     "*.c))\\nall: $(OBJS)\\n"
                     "%%.o: %%.c\\n\\tcc -O1 -c $< -o $@\\nclean:\\n\\trm -f "
                     "*.o\\n' > Makefile");
    if (system(mk.c_str()) != 0)
      printf("(could not generate the make project)\n");
  }
  std::vector<std::string> make = {
      "/bin/sh", "-c",
      absl::StrCat("make -s -C ", project, " clean && make -s -j2 -C ",
                   project)};
  std::vector<Config> builds = {
      {"native", make, 1},
      {"sysgate, built-in default policy", with(run, make), 1},
  };
  std::vector<Config> process_heavy = {
      {"native", forks, kForks},
      {"sysgate, built-in default policy", with(run, forks), kForks},
  };
  if (have_strace) {
    untraced.push_back(
        {"strace -f --seccomp-bpf -e trace=openat",
         with(strace, {"--seccomp-bpf", "-e", "trace=openat", loop, calls})});
    traced.push_back(
        {"strace -f --seccomp-bpf -e inject=...:retval=42",
         with(strace, {"--seccomp-bpf", "-e", "trace=getppid", "-e",
                       "inject=getppid:retval=42", loop, traced_calls})});
    open_heavy.push_back({"strace -f --seccomp-bpf -e trace=openat",
                          with(strace, {"--seccomp-bpf", "-e", "trace=openat",
                                        open_loop, target, opens})});
    tree.push_back(
        {"strace -f --seccomp-bpf -e trace=openat",
         with(strace, with({"--seccomp-bpf", "-e", "trace=openat"}, tar)), 1});
    process_heavy.push_back({"strace -f (trace=execve)",
                             with(strace, with({"-e", "trace=execve"}, forks)),
                             kForks});
    builds.push_back({"strace -f (trace=execve)",
                      with(strace, with({"-e", "trace=execve"}, make)), 1});
  }
  if (have_proot) {
    open_heavy.push_back({"proot (no seccomp acceleration)",
                          {"proot", open_loop, target, opens}});
    tree.push_back({"proot", with({"proot"}, tar), 1});
    process_heavy.push_back({"proot", with({"proot"}, forks), kForks});
    builds.push_back({"proot", with({"proot"}, make), 1});
  }
  printf("sysgate bench: %s untraced / %s traced calls per run, %d runs each\n",
         calls.c_str(), traced_calls.c_str(), repeat);
  for (bool pinned : {true, false}) {
    if (wanted("untraced"))
      RunGroup("untraced getppid: ns per call", untraced, repeat, pinned);
    if (wanted("traced"))
      RunGroup("traced getppid: ns per call (one stop each)", traced, repeat,
               pinned);
    if (wanted("open"))
      RunGroup("openat+read+close of one file: ns per iteration", open_heavy,
               repeat, pinned);
    if (wanted("open") && !pinned)  // Two threads need two CPUs.
      RunGroup("openat+read+close from 1 and 2 threads: ns per open",
               open_threads, repeat, pinned);
    if (wanted("tree"))
      RunGroup("tar cf /dev/null /usr/share/doc: ns per run", tree,
               std::min(repeat, 3), pinned);
    if (wanted("process")) {
      RunGroup("2,000 fork+exec of /bin/true from sh: ns per process",
               process_heavy, std::min(repeat, 3), pinned);
      RunGroup("make -j2 of 40 generated C files: ns per build", builds,
               std::min(repeat, 3), pinned);
    }
  }
  if (wanted("scale")) {
    std::vector<Config> scale;
    for (const char* threads : {"1", "8", "64"}) {
      scale.push_back(
          {absl::StrCat("sysgate emulate(42), ", threads, " threads"),
           run_with(emulate,
                    {runfiles.Path("bench/thread_loop"), threads, "2000"})});
    }
    RunGroup("scale: traced getppid from many threads, ns per call", scale,
             repeat, false);
    std::string many = runfiles.Path("bench/many_tracees");
    double rss[2] = {0, 0};
    double ns[2] = {0, 0};
    const char* counts[2] = {"0", "1000"};
    for (int i = 0; i < 2; ++i) {
      bench::Measurement m = bench::Measure(
          {"", run_with(emulate, {many, counts[i], "20000"})}, false);
      rss[i] = bench::Value(m.output, "supervisor_rss_kb");
      ns[i] = m.ns;
    }
    printf("\nscale: 1,000 live tracees (unpinned)\n");
    printf(
        "  traced getppid with 0 other tracees: %.1f ns; with 1,000: %.1f ns "
        "(ratio %.2f)\n",
        ns[0], ns[1], ns[1] / ns[0]);
    printf(
        "  sysgate resident memory: %.0f KiB with 1 tracee, %.0f KiB with "
        "1,001: %.2f KiB per tracee\n",
        rss[0], rss[1], (rss[1] - rss[0]) / 1000);
  }
  if (!have_strace) printf("\n(strace not installed: its rows are left out)\n");
  if (!have_proot) printf("(proot not installed: its rows are left out)\n");
  std::error_code ignored;  // Only a temporary tree is lost if this fails.
  std::filesystem::remove_all(project, ignored);
  for (const std::string& f :
       {rules300, emulate, log_getppid, errno_getppid, log_openat, broker,
        read_all, read_usr, target}) {
    unlink(f.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace sysgate

int main(int argc, char** argv) { return sysgate::Main(argc, argv); }
