#!/usr/bin/env bash
# Reproduces results/camvid-ralis-dt, the paper's regime (protocol camvid-ralis-dt: the MLP head, every
# episode starting from the head trained on all of D_T, final training with early stopping on the
# reward set). Each command resumes: re-running adds nothing once its runs are in runs.jsonl. Needs the
# CamVid folder (REGIONGYM_CAMVID, default ../shared/datasets/camvid). Default engines (native training
# and inference), 1 native thread per worker.
#
# A first look before the full sweep: random, entropy and BALD on the paper's 5 seeds at all 6 budgets.
# The first look under the protocol's first final-training rule (patience 4, at most 30 epochs) is kept in
# results/camvid-ralis-dt/superseded/patience4 (its page regenerates there; its runs cannot be extended).
# The page's bound: each of 3 seeds' start models final-trained under the protocol's own rule on every
# region of D_V (results/camvid-ralis-dt/make-bound.sh); the heads' whole-image bounds that chose the head
# are in results/camvid-heads.
set -euo pipefail
cd "$(dirname "$0")/.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
out=results/camvid-ralis-dt
runs=$out/runs.jsonl
bash results/camvid-ralis-dt/make-bound.sh
npx regiongym bench --protocol camvid-ralis-dt --agents random,entropy --seeds 20,50,82,12,4560 --workers 2 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-dt --agents bald --seeds 20,50,82,12,4560 --workers 2 --threads 1 --out "$runs"
npx regiongym leaderboard "$runs" --out "$out" --upper-bound "$out"/upper-bound-seed{20,50,82}/result.json
