"""tracee_program: a test tracee built by the C compiler directly."""

def _cmd(compiler, src, copts, linkopts):
    return "%s -std=gnu11 -O2 -g -Wall -I. %s $(location %s) -o $@ %s" % (
        compiler,
        " ".join(copts),
        src,
        " ".join(linkopts + ["-pthread"]),
    )

def tracee_program(name, src, copts = [], linkopts = [], arm64 = None):
    """A tracee for the end-to-end tests, built outside Bazel's C++ rules.

    Bazel's --copt/--linkopt (the asan and tsan configurations) would link a
    sanitizer runtime into it, whose own system calls (LeakSanitizer's
    ptrace at exit, ASan's start-up reads) are not what the tests supervise,
    and --linkopt comes after a rule's own linkopts, so a rule cannot opt
    out. The tracees are plain C programs: one compiler command each, with
    the C++ toolchain's compiler (gcc; the arm64 cross gcc under
    --config=arm64).

    Args:
      name: the program (tests/testcases/NAME in the runfiles).
      src: its C source.
      copts: extra compiler flags.
      linkopts: extra linker flags.
      arm64: under --config=arm64, a dict of "compiler", "copts" and
        "linkopts" to build with instead.
    """
    cmd = _cmd("$(CC)", src, copts, linkopts)
    if arm64:
        cmd = select({
            "//tests/testcases:arm64": _cmd(
                arm64.get("compiler", "$(CC)"),
                src,
                arm64.get("copts", []),
                arm64.get("linkopts", []),
            ),
            "//conditions:default": cmd,
        })
    native.genrule(
        name = name + "_build",
        srcs = [src, "testcase.h"],
        outs = [name],
        cmd = cmd,
        toolchains = ["@bazel_tools//tools/cpp:current_cc_toolchain"],
        visibility = ["//visibility:public"],
    )

def compat_tracee_program(name, src, linkopts = []):
    """The same tracee as a 32-bit process of the host's compat ABI.

    i386 on x86-64; on arm64 an AArch32 static program
    (gcc-arm-linux-gnueabihf: an arm64 system has no armhf libc), which
    sysgate refuses. i386 needs gcc-12-multilib, not gcc-multilib: Debian's
    gcc-multilib conflicts with every cross compiler (it only adds the
    /usr/include/asm symlink that would mislead them), so the asm/ headers,
    which serve i386 and x86-64 alike, come from -idirafter.

    Args:
      name: the program.
      src: its C source.
      linkopts: extra linker flags (both machines).
    """
    tracee_program(
        name = name,
        src = src,
        arm64 = {
            "compiler": "arm-linux-gnueabihf-gcc",
            "linkopts": ["-static"] + linkopts,
        },
        copts = [
            "-m32",
            "-idirafter /usr/include/x86_64-linux-gnu",
        ],
        linkopts = ["-m32"] + linkopts,
    )
