#!/usr/bin/env bash
# The main job: install dependencies, build, then build the beat datasets
# from the MIT-BIH records (seed protocol) and print their class counts.
#   bash scripts/run.sh [extra `heartwave data build` options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target heartwave
./build/release/heartwave data build --protocol seed --out out/datasets/seed "$@"
