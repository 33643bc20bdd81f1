#!/usr/bin/env bash
# Reproduces results/camvid-ralis-dt, the paper's regime (protocol camvid-ralis-dt: the MLP head, every
# episode starting from the head trained on all of D_T, final training with early stopping on the
# reward set). Each command resumes: re-running adds nothing once its runs are in runs.jsonl. Needs the
# CamVid folder (REGIONGYM_CAMVID, default ../shared/datasets/camvid). Default engines (native training
# and inference), 1 native thread per worker.
#
# A first look before the full sweep: random, entropy and BALD on the paper's 5 seeds at all 6 budgets,
# two seeds at a time so that a stopped sweep leaves whole seeds (paired across agents) behind.
# Superseded rules, kept as published: the first (patience 4, at most 30 epochs; page and runs in
# results/camvid-ralis-dt/superseded/patience4) and one crop per labelled image per epoch (patience 20, at
# most 100; 7 entropy runs and 3 bounds in superseded/patience20-crop), and the labelling loop on the
# start's Adam (7 runs, no page, superseded/adam-loop).
# The page's bound: each of 3 seeds' start models final-trained under the protocol's own rule on every
# region of D_V (results/camvid-ralis-dt/make-bound.sh); the heads' whole-image bounds that chose the head
# are in results/camvid-heads.
set -euo pipefail
cd "$(dirname "$0")/.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
out=results/camvid-ralis-dt
runs=$out/runs.jsonl
bash results/camvid-ralis-dt/make-bound.sh
for seeds in 20,50 82,12 4560; do
  npx regiongym bench --protocol camvid-ralis-dt --agents random,entropy,bald --seeds "$seeds" --workers 2 --threads 1 --out "$runs"
done
npx regiongym leaderboard "$runs" --out "$out" --upper-bound "$out"/upper-bound-seed{20,50,82}/result.json
