#!/usr/bin/env bash
# The main job: install dependencies, build, then analyse the 48 raw MIT-BIH
# records end to end with `heartwave analyze` (QRS detection and beat
# classification with the shipped default model; the records' reference
# annotations are set aside: analyze is given a folder holding only their
# signal files), and score the result against the reference annotations
# with `heartwave ec57`, as PhysioNet's bxb would: the QRS detection figures
# over whole records, and the beat classes (VEB, SVEB) on the inter-patient
# test records DS2 after EC57's 5-minute learning period.
#   bash scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target heartwave
hw=./build/release/heartwave
data=${HEARTWAVE_DATA:-../shared/data/mitdb}
[ -f "$data/100.hea" ] || { echo "run.sh: the MIT-BIH database is not at $data (set HEARTWAVE_DATA)" >&2; exit 1; }

# The signals alone (links, nothing copied): no annotation file is in reach.
signals=out/mitdb-signals
rm -rf "$signals" out/analyze
mkdir -p "$signals"
data_abs=$(cd "$data" && pwd)
for hea in "$data_abs"/*.hea; do
  rec=$(basename "$hea" .hea)
  ln -s "$data_abs/$rec.hea" "$signals/$rec.hea"
  ln -s "$data_abs/$rec.dat" "$signals/$rec.dat"
done

echo "== heartwave analyze: 48 raw records, 2 threads" >&2
start=$(date +%s%N)
$hw analyze "$signals" --threads 2 --out out/analyze --format wfdb,csv | tail -n 1
ms=$((($(date +%s%N) - start) / 1000000))
echo "analysed in $ms ms wall (the whole process: start-up, model loading, reading, writing)"

echo "== heartwave ec57: QRS detection, whole records (bxb -f 0 -w 0.15)" >&2
$hw ec57 --ref-dir "$data" --test-dir out/analyze --test-ann hw --learning-period 0 \
  --json out/analyze/ec57-whole-record.json > out/analyze/ec57-whole-record.txt
tail -n 1 out/analyze/ec57-whole-record.txt

echo "== heartwave ec57: beat classes on DS2, after the 5-minute learning period (bxb -w 0.15)" >&2
ds2=100,103,105,111,113,117,121,123,200,202,210,212,213,214,219,221,222,228,231,232,233,234
$hw ec57 --ref-dir "$data" --test-dir out/analyze --test-ann hw --records "$ds2" \
  --json out/analyze/ec57-ds2.json > out/analyze/ec57-ds2.txt
tail -n 1 out/analyze/ec57-ds2.txt

echo "== heartwave ec57 --episodes: AF episodes of the 7 records with AF, whole records (EC38 rules)" >&2
$hw ec57 --ref-dir "$data" --test-dir out/analyze --test-ann hw --records 201,202,203,210,219,221,222 --learning-period 0 \
  --episodes > out/analyze/ec57-af-episodes.txt
tail -n 1 out/analyze/ec57-af-episodes.txt

echo "outputs: out/analyze/NNN.hw (WFDB beat and rhythm annotations, readable by rdann, bxb, rxr and epicmp), out/analyze/NNN.csv (per beat),"
echo "         out/analyze/NNN/summary.json and summary.html (the Holter summary), out/analyze/index.html,"
echo "         out/analyze/ec57-whole-record.txt, ec57-ds2.txt, ec57-af-episodes.txt (tables), and their .json"
