#!/usr/bin/env bash
# The main job: install dependencies, build, build the beat datasets from the
# MIT-BIH records (seed and inter-patient protocols, printing their class
# counts), then classify every DS2 beat with the shipped default model and
# check that it reproduces the figures stored in it.
#   bash scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target heartwave
hw=./build/release/heartwave
$hw data build --protocol seed --out out/datasets/seed
$hw data build --protocol inter-patient --second-lead --relative-morphology --out out/datasets/inter-patient
$hw evaluate --data out/datasets/inter-patient --out out/eval/default
echo "report: out/eval/default/report.html"
