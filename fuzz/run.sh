#!/usr/bin/env bash
# Runs every libFuzzer harness for N seconds from the seed corpus.
#   bash fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:-build/fuzz}
secs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
status=0
while read -r name; do
  [ -n "$name" ] || continue
  work="$build/corpus-run/$name"
  mkdir -p "$work"
  cp -n "$here/corpus/$name"/* "$work/" 2>/dev/null || true
  echo "fuzz_$name: ${secs}s" >&2
  if ! "$build/fuzz/fuzz_$name" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$build/crash-$name-" -print_final_stats=1 "$work" </dev/null 2>"$build/fuzz_$name.log"; then
    echo "fuzz_$name FAILED; see $build/fuzz_$name.log" >&2
    tail -40 "$build/fuzz_$name.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units" "$build/fuzz_$name.log" >&2 || true
  fi
done <"$here/targets.txt"
exit $status
