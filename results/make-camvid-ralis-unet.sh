#!/usr/bin/env bash
# Reproduces results/camvid-ralis-unet: the RALIS CamVid protocol on UNet-S trained from scratch (the
# paper's full fine-tuning, scale 0.4), set beside camvid-ralis (frozen encoder) to show what the
# learner does to the ranking. Each line resumes: re-running adds nothing once its runs are in runs.jsonl.
# Needs the CamVid folder (REGIONGYM_CAMVID, default ../shared/datasets/camvid).
#
# Run here at the first budget only (480 regions), random / entropy / BALD on the paper's 5 seeds: a
# trajectory to 480 costs about 75 s of labelling (random) but its final training (up to 100 epochs,
# patience 15) about 310 s, and the final training grows with the labelled set, so the protocol's six
# budgets and its DQN (100 training episodes) are a cluster job (deploy/slurm/sweep.sbatch with
# PROTOCOL=camvid-ralis-unet), not a 2-core one. To extend, drop `--budgets` (the 480 runs are kept and
# each trajectory labels on to 1920).
set -euo pipefail
cd "$(dirname "$0")/.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
out=results/camvid-ralis-unet
runs=$out/runs.jsonl
mkdir -p "$out"
npx regiongym bench --protocol camvid-ralis-unet --agents random,entropy --seeds 20,50,82,12,4560 --budgets 480 --workers 1 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-unet --agents bald --seeds 20,50,82,12,4560 --budgets 480 --workers 1 --threads 1 --out "$runs"

npx regiongym leaderboard "$runs" --out "$out"
