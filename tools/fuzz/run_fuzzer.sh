#!/usr/bin/env bash
# run_fuzzer.sh FUZZER RUNS SEED...: a short, reproducible fuzz run. The
# seeds are copied (libFuzzer writes new inputs into its first corpus
# directory, which must not be the source tree); -seed=1 makes the run
# the same every time. Findings go to the test's undeclared outputs.
set -euo pipefail
fuzzer="$1"
runs="$2"
shift 2
work="${TEST_TMPDIR:-$(mktemp -d)}"
mkdir -p "$work/corpus" "$work/seeds"
cp "$@" "$work/seeds/"
out="${TEST_UNDECLARED_OUTPUTS_DIR:-$work}"
exec "$fuzzer" -runs="$runs" -seed=1 -max_len=4096 \
  -artifact_prefix="$out/" "$work/corpus" "$work/seeds"
