#!/usr/bin/env bash
# Reproduces results/camvid-ralis, command by command as it was made (each resumes: re-running adds
# nothing once its runs are in runs.jsonl). Needs the CamVid folder (REGIONGYM_CAMVID, default
# ../shared/datasets/camvid). Default engines; 1 native thread per worker.
#
# Made within one session's CPU on 2 cores, so short of the protocol's plan (issue 13): the DQN trained
# 56 of 100 episodes; random / entropy / BALD / DQN on seeds 20, 50, 82, every budget (margin: seed 20 too); the other baselines on
# 3 seeds at the first two budgets. To extend, raise --episodes (the DQN's best checkpoint, and so its
# agent id, may change), add seeds (`--seeds 20,50,82,12,4560,101,202,303,404,505`) or drop `--budgets`.
set -euo pipefail
cd "$(dirname "$0")/.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
out=results/camvid-ralis
runs=$out/runs.jsonl
[ -f "$out/upper-bound/result.json" ] || npx regiongym train-supervised --protocol camvid-ralis --epochs 12 --seed 0 --threads 1 --out "$out/upper-bound"
npx regiongym train-policy --protocol camvid-ralis --episodes 56 --validate-every 5 --seed 20 --threads 1 --out "$out/policy" --resume
npx regiongym bench --protocol camvid-ralis --agents random,entropy,bald --seeds 20,50,82 --workers 2 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis --agents margin --seeds 20 --workers 1 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis --agents "dqn=$out/policy/best" --seeds 20,50,82 --workers 2 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis --agents image-random,image-entropy,margin,power-entropy,class-balanced,impurity,badge,coreset,power-bald \
  --seeds 20,50,82 --budgets 480,720 --workers 2 --threads 1 --out "$runs"

npx regiongym leaderboard "$runs" --out "$out" --upper-bound "$out/upper-bound/result.json" --policy "$out/policy"
