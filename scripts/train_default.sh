#!/usr/bin/env bash
# Rebuilds the shipped models, each trained with the inter-patient protocol on
# all of DS1 (AAMI labels) and then evaluated once on DS2, with the figures
# stored in the file. Beats inside annotated atrial fibrillation or flutter
# are left out of fitting (--exclude-af). No early stopping: each
# configuration fixes its rounds (the median of the per-fold best iterations
# that 5-fold `heartwave cv` reported for it).
#
# models/default.hwm (both leads, with the morphology relative to each
# record's dominant beat): configs/models/default.json, an `ensemble` of three
# xgb-feat models (eta 0.2, 51 rounds). The first reads the default
# dataset's 247 columns with the 5-fold cv winner's configuration (depth 4,
# colsample 0.5, class weights capped at 5; rounds the median of [51, 41,
# 74, 69, 29]); the second only the 27 scale-free columns (RR ratios,
# shape, both leads' template features), at depth 12 with every column per
# tree (class weights capped at 20); these two have the say in N and S.
# The third, the first's parameters on every column (the 36 relative
# morphology features too), has the say in V, F and Q (round 19,
# docs/research/r19-relative-morphology-v-member). The decision
# keeps the plain argmax and adds the rhythm step (N calls at beats
# premature against the record's mean RR become S, then no S calls inside
# atrial fibrillation, judged 32 beats either side by the irregularity of
# the rhythm and the P-wave coherence, with thresholds fitted to DS1's
# annotated AF, then the record adaptation), whose ratio and thresholds
# leave-one-record-out cross-validation inside DS1 chooses (`cv
# --leave-one-record-out --argmax --exclude-af` -> decision.json); the
# same kind of cross-validation chose the members (`heartwave select` and
# the declared rounds under docs/research).
#
# models/one-lead.hwm (MLII only, for single-lead recordings and CSVs of one
# lead's beats): configs/models/one-lead.json, depth 6 and 40 rounds, the
# configuration and median best iteration ([65, 32, 86, 40, 27]) that won
# 5-fold `cv` on the one-lead dataset, with its own rhythm step (the
# default's kind of AF gate since round 18).
#
# models/window-only.hwm, for beats given without times (a CSV of windows
# alone): xgb-feat on the MLII dataset that reads only each beat's 187
# samples and its 36 morphology features (configs/models/window-only.json
# `columns`; no RR interval, no dominant beat, no rhythm step), depth 3,
# min_child_weight 10, colsample 0.5, unweighted, 27 rounds: the candidate
# and median best iteration ([32, 9, 27, 28, 16]) that won 5-fold `cv
# --exclude-af --argmax` among four.
#
#   bash scripts/train_default.sh                 all three (7 to 13 minutes on 2 cores after the build)
#   bash scripts/train_default.sh default         only the named ones (default, one-lead, window-only)
# Reruns give the same trees, predictions and stored figures (only the
# recorded training time differs).
set -euo pipefail
wanted() { [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }
only=("$@")
for m in "${only[@]}"; do
  case $m in default | one-lead | window-only) ;; *) echo "train_default.sh: unknown model '$m' (default, one-lead, window-only)" >&2; exit 2 ;; esac
done
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target heartwave
hw=build/release/heartwave

# ship NAME FAMILY CONFIG DATASET "CV DECISION FLAGS" [data build flags]:
# choose the decision by leave-one-record-out cv inside DS1, fit on all of
# DS1, evaluate once on DS2.
ship() {
  local name=$1 family=$2 config=$3 data=$4
  local -a decision_flags
  read -r -a decision_flags <<<"$5"
  shift 5
  wanted "$name" || return 0
  $hw data build --protocol inter-patient "$@" --seed 42 --out "$data"
  $hw cv --leave-one-record-out --argmax "${decision_flags[@]}" --exclude-af --model "$family" --data "$data" --params "$config" \
    --seed 42 --threads 2 --out "out/cv/$name-loro"
  $hw train --model "$family" --data "$data" --params "$config" --seed 42 --threads 2 --early-fold -1 --exclude-af \
    --decision "out/cv/$name-loro/decision.json" --out "models/$name.hwm"
  rm -f "models/$name.hwm.log.json"  # the log is inside the model file too
  $hw evaluate --store --model "models/$name.hwm" --data "$data" --split test --out "out/eval/$name"
}
# The default's AF gate looks 32 beats either side (round 14,
# docs/research/r14-gate-window) and its thresholds are fitted to
# DS1's annotated AF, its P-wave sign the window's P-wave coherence (round
# 16, docs/research/r16-gate-fit-to-rhythm); the one-lead model
# decides the same way since round 18 (docs/research/r18-one-lead-gate).
af_gate="--search configs/search/af-rhythm-fit.json"
ship default ensemble configs/models/default.json out/datasets/inter-patient "$af_gate" --second-lead --relative-morphology
ship one-lead xgb-feat configs/models/one-lead.json out/datasets/inter-patient-1lead "$af_gate"
# The window-only model: no decision to choose (nothing in it reads time).
if wanted window-only; then
  # (the one-lead model, when rebuilt above, has just built this dataset)
  wanted one-lead || $hw data build --protocol inter-patient --seed 42 --out out/datasets/inter-patient-1lead
  $hw train --model xgb-feat --data out/datasets/inter-patient-1lead --params configs/models/window-only.json --seed 42 --threads 2 \
    --early-fold -1 --exclude-af --out models/window-only.hwm
  rm -f models/window-only.hwm.log.json
  $hw evaluate --store --model models/window-only.hwm --data out/datasets/inter-patient-1lead --split test --out out/eval/window-only
fi
