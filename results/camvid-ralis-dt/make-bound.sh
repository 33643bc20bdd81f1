#!/usr/bin/env bash
# The bound camvid-ralis-dt's agents are held to: each seed's start model (the head trained on D_T)
# final-trained under the protocol's own rule on every region of D_V, fully labelled, then tested.
# Default: the first look's five seeds, 20, 50, 82, 12 and 4560; item 4's loop in make-camvid-ralis-dt.sh
# adds each further seed's bound after its bench (`make-bound.sh 1 SEED`), so that the page checks the
# ceiling seed by seed on every seed it has (their start models are the sweep's own). A finished seed is
# skipped; seeds run two at a time (JOBS 1 for one at a time).
#   bash results/camvid-ralis-dt/make-bound.sh [JOBS] [SEED...]
set -euo pipefail
cd "$(dirname "$0")/../.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
jobs="${1:-2}"
shift || true
seeds=("$@")
if [ "${#seeds[@]}" -eq 0 ]; then seeds=(20 50 82 12 4560); fi
for seed in "${seeds[@]}"; do
  out=results/camvid-ralis-dt/upper-bound-seed$seed
  [ -f "$out/result.json" ] && continue
  npx regiongym train-supervised --protocol camvid-ralis-dt --protocol-rule --seed $seed --threads 1 --out "$out" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
done
wait
