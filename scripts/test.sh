#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite: the unit and
# database tests in an optimised build and again under AddressSanitizer +
# UndefinedBehaviorSanitizer, then a short libFuzzer run of every parser.
#   bash scripts/test.sh            (FUZZ_SECONDS=30 by default; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)

echo "== release build and tests" >&2
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

echo "== ASan + UBSan build and tests" >&2
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"

if [ "${FUZZ_SECONDS:-30}" != "0" ]; then
  echo "== fuzzing (${FUZZ_SECONDS:-30} s per harness)" >&2
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
  bash fuzz/run.sh build/fuzz "${FUZZ_SECONDS:-30}"
fi
