#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite: the unit and
# database tests in an optimised build and again under AddressSanitizer +
# UndefinedBehaviorSanitizer, then a short libFuzzer run of every parser.
#   bash scripts/test.sh            (FUZZ_SECONDS=20 by default; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Number of tests ctest ran in its last run (the "out of N" in its summary).
ran() { sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n 1; }
total=0

echo "== release build and tests" >&2
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs" | tee "$log"
total=$((total + $(ran)))

echo "== ASan + UBSan build and tests" >&2
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs" | tee "$log"
total=$((total + $(ran)))

if [ "${FUZZ_SECONDS:-20}" != "0" ]; then
  echo "== fuzzing (${FUZZ_SECONDS:-20} s per harness)" >&2
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
  bash fuzz/run.sh build/fuzz "${FUZZ_SECONDS:-20}"
  total=$((total + $(grep -c . fuzz/targets.txt)))
fi
# set -e has stopped the script at the first failure, so reaching here means all passed.
echo "summary: $total passed, 0 failed"
