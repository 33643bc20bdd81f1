#!/usr/bin/env bash
# Reproduces results/camvid-ralis: the full-supervision upper bound, the RALIS DQN (100 episodes,
# validated every 5, best checkpoint kept), the bench and the leaderboard. Needs the CamVid folder
# (REGIONGYM_CAMVID, default ../shared/datasets/camvid). Every step resumes: re-running adds only
# what is missing. Default engines (inference ort, training auto); 2 workers of 1 native thread.
set -euo pipefail
cd "$(dirname "$0")/.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
out=results/camvid-ralis
seeds="${SEEDS:-20,50,82,12,4560,101,202,303,404,505}"
[ -f "$out/upper-bound/result.json" ] || npx regiongym train-supervised --protocol camvid-ralis --epochs 12 --seed 0 --out "$out/upper-bound"
npx regiongym train-policy --protocol camvid-ralis --episodes 100 --validate-every 5 --seed 20 --threads 1 --out "$out/policy" --resume
agents="random,entropy,bald,margin,class-balanced,impurity,power-entropy,power-bald,coreset,badge,image-random,image-entropy,dqn=$out/policy/best"
npx regiongym bench --protocol camvid-ralis --agents "$agents" --seeds "$seeds" --workers 2 --threads 1 --out "$out/runs.jsonl"
npx regiongym bench --protocol camvid-ralis --agents oracle --seeds 20,50,82 --workers 2 --threads 1 --out "$out/runs.jsonl"
npx regiongym leaderboard "$out/runs.jsonl" --out "$out" --upper-bound "$out/upper-bound/result.json" --policy "$out/policy"
