#!/usr/bin/env bash
# Reproduces results/camvid-ralis-dt, the paper's regime (protocol camvid-ralis-dt: the MLP head, every
# episode starting from the head trained on all of D_T, final training with early stopping on the
# reward set). Each command resumes: re-running adds nothing once its runs are in runs.jsonl. Needs the
# CamVid folder (REGIONGYM_CAMVID, default ../shared/datasets/camvid). Default engines (native training
# and inference), 1 native thread per worker.
#
# A first look before the full sweep: random, entropy and BALD on the paper's 5 seeds at all 6 budgets.
# The upper bound is the MLP head's full supervision on 3 seeds (results/camvid-heads/make.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
out=results/camvid-ralis-dt
runs=$out/runs.jsonl
HEADS=mlp64 bash results/camvid-heads/make.sh
npx regiongym bench --protocol camvid-ralis-dt --agents random,entropy --seeds 20,50,82,12,4560 --workers 2 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-dt --agents bald --seeds 20,50,82,12,4560 --workers 2 --threads 1 --out "$runs"
npx regiongym leaderboard "$runs" --out "$out" --upper-bound results/camvid-heads/mlp64-seed{0,1,2}/result.json
