#!/usr/bin/env bash
# The seed dataset build, timed as whole processes side by side in one run:
# `heartwave data build --protocol seed` against the original project's
# stack (../shared/python-peer/seed_pipeline.py --build-only, Debian's
# Python), alternating, ROUNDS of each; prints a markdown table of the wall
# times and the ratio of the medians. Needs a release build
# (build/release/heartwave) and the peer's Debian packages (its README).
#   bash bench/compare_python_build.sh [ROUNDS]     (default 5)
#   HEARTWAVE_BIN=/path/to/heartwave bash bench/compare_python_build.sh   (another build)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
data=${HEARTWAVE_DATA:-../shared/data/mitdb}
peer=../shared/python-peer
hw=${HEARTWAVE_BIN:-build/release/heartwave}  # HEARTWAVE_BIN: another build to time
[ -x "$hw" ] || { echo "compare_python_build.sh: build first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
[ -f "$peer/seed_pipeline.py" ] || { echo "compare_python_build.sh: $peer/seed_pipeline.py not found" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
# One untimed run of each first: the page cache then holds the records for both.
"$hw" data build --protocol seed --data-dir "$data" --out "$tmp/hw" >/dev/null 2>&1
/usr/bin/python3 "$peer/seed_pipeline.py" --build-only --data "$data" --out "$tmp/p.json" --artifacts "$tmp/art" >/dev/null 2>&1
hw_times=() py_times=()
for ((r = 1; r <= rounds; r++)); do
  t0=$(now); "$hw" data build --protocol seed --data-dir "$data" --out "$tmp/hw" >/dev/null 2>&1; t1=$(now)
  hw_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
  t0=$(now); /usr/bin/python3 "$peer/seed_pipeline.py" --build-only --data "$data" --out "$tmp/p.json" --artifacts "$tmp/art" >/dev/null 2>&1; t1=$(now)
  py_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
hm=$(median "${hw_times[@]}") pm=$(median "${py_times[@]}")
echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); heartwave $("$hw" --version | cut -d' ' -f2-)"
echo
echo "| seed dataset build, whole process | runs | median s | min s | max s |"
echo "|---|---|---|---|---|"
printf '| heartwave `data build --protocol seed` | %d | %.2f | %.2f | %.2f |\n' "$rounds" "$hm" "$(printf '%s\n' "${hw_times[@]}" | sort -g | head -1)" "$(printf '%s\n' "${hw_times[@]}" | sort -g | tail -1)"
printf '| original stack `seed_pipeline.py --build-only` | %d | %.2f | %.2f | %.2f |\n' "$rounds" "$pm" "$(printf '%s\n' "${py_times[@]}" | sort -g | head -1)" "$(printf '%s\n' "${py_times[@]}" | sort -g | tail -1)"
echo
printf 'ratio of the medians: heartwave is %.1f times faster\n' "$(awk -v p="$pm" -v h="$hm" 'BEGIN {print p / h}')"
