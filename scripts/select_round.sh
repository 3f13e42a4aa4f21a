#!/usr/bin/env bash
# Reruns one declared round of model selection inside DS1: leave-one-record-out
# cross-validation (AF beats out of fitting, argmax, rhythm step nested) of
# every candidate configuration in a folder, then `heartwave select` over
# their decided.csv, which decides each record by the candidate best on the
# other 21 and prints the nested figures of the choice. Candidates are taken
# in file-name order, so the baseline, named 00-*.json, wins ties. DS2 is
# never read. A candidate's `cv` decision flags are `--argmax` unless a
# sidecar NAME.cv-flags gives others (e.g. `--class-weights 1,2,1,1,1`);
# the round's select.flags, if present, gives `select` its flags (e.g.
# `--criterion sveb_se --floor sveb_ppv=0.6`; default: highest macro-F1).
# A sidecar NAME.data-flags gives `data build` flags (e.g. `--second-lead
# --relative-morphology`) for a dataset of the candidate's own, built
# from the same records under OUT_DIR/data-NAME (candidates whose flags
# are the same share the first one's).
#   bash scripts/select_round.sh docs/research/r01-n-s-member
#   bash scripts/select_round.sh ROUND_DIR [DATASET] [OUT_DIR]
# DATASET defaults to out/datasets/inter-patient-2lead, built here when
# missing with --second-lead: the dataset rounds 1 to 19 ran their
# baselines on (the default since round 19 reads the relative morphology
# too, on the dataset scripts/run.sh builds, whose extra columns a
# configuration without a `columns` list would read). OUT_DIR defaults to
# out/select/<round name>. About 2 to 5 minutes per candidate on 2 cores.
set -euo pipefail
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: bash scripts/select_round.sh ROUND_DIR [DATASET] [OUT_DIR]" >&2
  exit 2
fi
round=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
data=${2:-out/datasets/inter-patient-2lead}
out=${3:-out/select/$(basename "$round")}
shopt -s nullglob
candidates=("$round"/*.json)
if [ ${#candidates[@]} -lt 2 ]; then
  echo "select_round.sh: $round holds fewer than two candidate .json files" >&2
  exit 2
fi
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target heartwave
hw=build/release/heartwave
if [ ! -f "$data/manifest.json" ]; then
  if [ $# -ge 2 ]; then
    echo "select_round.sh: no dataset at $data" >&2
    exit 2
  fi
  $hw data build --protocol inter-patient --second-lead --out "$data" >/dev/null
fi
mkdir -p "$out"
decided=()
declare -A built  # data build flags -> the dataset built with them in this run
for c in "${candidates[@]}"; do
  name=$(basename "$c" .json)
  family=xgb-feat
  grep -q '"members"' "$c" && family=ensemble
  flags=(--argmax)
  if [ -f "$round/$name.cv-flags" ]; then read -r -a flags <"$round/$name.cv-flags" || true; fi  # a last line without a newline still counts
  cand_data=$data
  if [ -f "$round/$name.data-flags" ]; then
    read -r -a data_flags <"$round/$name.data-flags" || true
    key="flags: ${data_flags[*]}"  # never empty (an empty key is not allowed)
    if [ -n "${built[$key]+set}" ]; then
      cand_data=${built[$key]}
    else
      cand_data=$out/data-$name
      rm -rf "$cand_data"
      $hw data build --protocol inter-patient "${data_flags[@]}" --out "$cand_data" >"$out/data-$name.log" 2>&1 ||
        { cat "$out/data-$name.log" >&2; exit 1; }
      built[$key]=$cand_data
    fi
  fi
  echo "== $name ($family ${flags[*]}; dataset $cand_data)" >&2
  $hw cv --leave-one-record-out "${flags[@]}" --exclude-af --model "$family" --params "$c" --data "$cand_data" --seed 42 --threads 2 \
    --out "$out/$name" >"$out/$name.log" 2>&1 || { cat "$out/$name.log" >&2; exit 1; }
  decided+=("$out/$name/decided.csv")
done
select_flags=()
if [ -f "$round/select.flags" ]; then read -r -a select_flags <"$round/select.flags" || true; fi
$hw select "${decided[@]}" "${select_flags[@]}" --out "$out/select.json" --predictions-out "$out/nested.csv"
