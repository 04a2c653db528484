"""sysgate_fuzz_test: a fuzz target, built as libFuzzer or replay binary."""

def sysgate_fuzz_test(name, srcs, deps, seeds, runs = 20000):
    """A short fuzz run as a test (tag "fuzz").

    Args:
      name: the test; the fuzzer binary is NAME_bin.
      srcs: sources defining LLVMFuzzerTestOneInput.
      deps: what they need.
      seeds: seed input files.
      runs: inputs to try beyond the seeds.
    """
    native.cc_binary(
        name = name + "_bin",
        testonly = True,
        srcs = srcs,
        deps = deps + select({
            "//tools/fuzz:libfuzzer": [],
            "//conditions:default": ["//tools/fuzz:replay_main"],
        }),
        linkopts = select({
            "//tools/fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
    )
    native.sh_test(
        name = name,
        size = "medium",
        srcs = ["//tools/fuzz:run_fuzzer.sh"],
        args = ["$(rootpath :%s_bin)" % name, str(runs)] +
               ["$(rootpath %s)" % s for s in seeds],
        data = [":" + name + "_bin"] + seeds,
        tags = ["fuzz"],
    )
