#!/usr/bin/env bash
# The bound camvid-ralis-dt's agents are held to: each seed's start model (the head trained on D_T)
# final-trained under the protocol's own rule on every region of D_V, fully labelled, then tested.
# The first look's five seeds, 20, 50, 82, 12 and 4560, so that the page checks the ceiling seed by seed
# on every seed it has (their start models are the sweep's own). A finished seed is skipped; seeds run
# two at a time (--jobs 1 for one at a time).
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs="${1:-2}"
for seed in 20 50 82 12 4560; do
  out=results/camvid-ralis-dt/upper-bound-seed$seed
  [ -f "$out/result.json" ] && continue
  npx regiongym train-supervised --protocol camvid-ralis-dt --protocol-rule --seed $seed --threads 1 --out "$out" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
done
wait
