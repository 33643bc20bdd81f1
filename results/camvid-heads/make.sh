#!/usr/bin/env bash
# Full-supervision upper bound of each frozen-encoder head on CamVid (all 367 train images at full
# resolution, Adam lr 1e-3, batch 8, early stopping on val with patience 5 (at most 40 epochs), best checkpoint tested),
# 3 seeds each. Resumes: a finished run (its result.json) is skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
for head in ${HEADS:-linear mlp64 mlp256}; do
  for seed in ${SEEDS:-0 1 2}; do
    out=results/camvid-heads/$head-seed$seed
    [ -f "$out/result.json" ] && continue
    node bin/regiongym.mjs train-supervised --protocol results/camvid-heads/$head.json --epochs 40 --patience 5 --batch 8 --seed $seed --out "$out" > "$out.log" 2>&1 || { echo "failed: $out (see $out.log)"; exit 1; }
    rm -f "$out"/model.json "$out"/weights.bin
    tail -1 "$out.log" >/dev/null
  done
done
