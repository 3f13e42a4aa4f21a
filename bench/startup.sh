#!/usr/bin/env bash
# Whole-process times of the commands whose cost is mostly start-up:
# `heartwave --version`, `heartwave predict --record` and `heartwave analyze` of one MIT-BIH
# record (the shipped default model, its beats at the reference
# annotations), ROUNDS runs each after one untimed run; prints a markdown
# table of the medians and extremes.
#   bash bench/startup.sh [ROUNDS]      (default 20)
#   HEARTWAVE_BIN=/path/to/heartwave bash bench/startup.sh   (another build)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
hw=${HEARTWAVE_BIN:-build/release/heartwave}
data=${HEARTWAVE_DATA:-../shared/data/mitdb}
[ -x "$hw" ] || { echo "startup.sh: build first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
time_runs() {  # LABEL COMMAND...: one untimed run, then ROUNDS timed ones
  local label=$1
  shift
  "$@" >/dev/null 2>&1
  local -a t=()
  for ((r = 0; r < rounds; r++)); do
    local t0 t1
    t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
    t+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print (b - a) * 1000}')")
  done
  printf '%s\n' "${t[@]}" | sort -g | awk -v label="$label" -v n="$rounds" \
    '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "| %s | %d | %.1f | %.1f | %.1f |\n", label, n, m, a[1], a[NR]}'
}
echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $("$hw" --version)"
echo
echo "| whole process | runs | median ms | min ms | max ms |"
echo "|---|---|---|---|---|"
time_runs '`heartwave --version`' "$hw" --version
time_runs '`heartwave predict --record 100` (default model)' "$hw" predict --record "$data/100" --out "$tmp/p.csv"
time_runs '`heartwave predict --record 100 --model models/one-lead.hwm`' "$hw" predict --model models/one-lead.hwm --record "$data/100" --out "$tmp/p.csv"
time_runs '`heartwave analyze 100` (detect and classify, default model, one thread)' "$hw" analyze "$data/100" --threads 1 --out "$tmp/a"
