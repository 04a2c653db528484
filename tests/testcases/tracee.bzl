"""tracee_program: a test tracee built by the system C compiler directly."""

def tracee_program(name, src, copts = [], linkopts = []):
    """A tracee for the end-to-end tests, built outside Bazel's C++ rules.

    Bazel's --copt/--linkopt (the asan and tsan configurations) would link a
    sanitizer runtime into it, whose own system calls (LeakSanitizer's
    ptrace at exit, ASan's start-up reads) are not what the tests supervise,
    and --linkopt comes after a rule's own linkopts, so a rule cannot opt
    out. The tracees are plain C programs: one gcc command each.

    Args:
      name: the program (tests/testcases/NAME in the runfiles).
      src: its C source.
      copts: extra compiler flags.
      linkopts: extra linker flags.
    """
    native.genrule(
        name = name + "_build",
        srcs = [src, "testcase.h"],
        outs = [name],
        cmd = "gcc -std=gnu11 -O2 -g -Wall -I. %s $(location %s) -o $@ %s" % (
            " ".join(copts),
            src,
            " ".join(linkopts + ["-pthread"]),
        ),
        visibility = ["//visibility:public"],
    )
