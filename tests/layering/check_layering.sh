#!/usr/bin/env bash
# The one-way order of the libraries, checked on the sources: a file of
# src/STAGE or include/heartwave/STAGE may include heartwave headers only of
# STAGE and of the stages it builds on (CMakeLists.txt links the same), so
# an upward include fails here even where it would compile.
#   bash tests/layering/check_layering.sh SOURCE_DIR
set -euo pipefail
root=${1:?usage: check_layering.sh SOURCE_DIR}
declare -A allowed=(
  [core]="core"
  [io]="core io"
  [dsp]="core dsp"
  [detect]="core dsp detect"
  [beats]="core io dsp detect beats"
  [features]="core io dsp detect beats features"
  [data]="core io dsp detect beats features data"
  [eval]="core io dsp detect beats eval"
  [models]="core io dsp detect beats features data eval models"
  [decision]="core io dsp detect beats features data eval decision"
  [infer]="core io dsp detect beats features data eval models decision infer"
  [holter]="core io dsp detect beats features data eval models decision infer holter"
  [stream]="core io dsp detect beats features data eval models decision infer holter stream"
  [serve]="core io dsp detect beats features data eval models decision infer holter track serve"
  [track]="core io track"
  [train]="core io dsp detect beats features data eval models decision infer train"
  [pipeline]="core io pipeline"
)
bad=0 checked=0
for stage in "${!allowed[@]}"; do
  for dir in "$root/src/$stage" "$root/include/heartwave/$stage"; do
    [ -d "$dir" ] || { echo "layering: $dir is missing" >&2; bad=1; continue; }
    while IFS= read -r -d '' f; do
      checked=$((checked + 1))
      while IFS= read -r dep; do
        if [[ " ${allowed[$stage]} " != *" $dep "* ]]; then
          echo "layering: ${f#"$root"/} ($stage) includes heartwave/$dep/, which is not below it" >&2
          bad=1
        fi
      done < <(sed -n 's|^#include "heartwave/\([a-z_]*\)/.*|\1|p' "$f" | sort -u)
    done < <(find "$dir" -name '*.[ch]pp' -print0)
  done
done
# Every stage folder is in the table.
for dir in "$root"/src/*/; do
  stage=$(basename "$dir")
  [ -n "${allowed[$stage]:-}" ] || { echo "layering: src/$stage is not in the stage table" >&2; bad=1; }
done
[ "$checked" -gt 50 ] || { echo "layering: only $checked files found under $root" >&2; bad=1; }
[ "$bad" -eq 0 ] && echo "layering: $checked files include only stages below their own"
exit "$bad"
