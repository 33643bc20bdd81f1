#!/usr/bin/env bash
# Reproduces results/synthetic (UNet-S from scratch) or results/synthetic-frozen (the frozen COCO encoder
# with a linear head), both on the built-in synthetic data (no download):
#   bash results/make-synthetic.sh synthetic-frozen
#   bash results/make-synthetic.sh synthetic
# The upper bound, the RALIS DQN trained for the paper's 100 episodes on the policy pool (validated every
# 5, the best validated checkpoint benched), then every agent on 10 seeds (the protocol's 5 and 5 more) at
# every budget, then the leaderboard. Each line resumes: re-running adds nothing once its runs are in.
# Default engines, 1 native thread.
set -euo pipefail
cd "$(dirname "$0")/.."
protocol="${1:?usage: make-synthetic.sh synthetic|synthetic-frozen}"
case "$protocol" in synthetic | synthetic-frozen) ;; *) echo "make-synthetic.sh: protocol '$protocol' is not synthetic or synthetic-frozen" >&2; exit 2 ;; esac
out=results/$protocol
runs=$out/runs.jsonl
seeds=20,50,82,12,4560,101,202,303,404,505
[ -f "$out/upper-bound/result.json" ] || npx regiongym train-supervised --protocol "$protocol" --epochs 30 --patience 8 --seed 0 --threads 1 --out "$out/upper-bound"
npx regiongym train-policy --protocol "$protocol" --episodes 100 --validate-every 5 --seed 20 --threads 1 --out "$out/policy" --resume
npx regiongym bench --protocol "$protocol" --agents "random,entropy,bald,dqn=$out/policy/best" --seeds "$seeds" --workers 1 --threads 1 --out "$runs"
npx regiongym bench --protocol "$protocol" --agents margin,class-balanced,impurity,power-entropy,power-bald,coreset,badge,image-random,image-entropy --seeds "$seeds" --workers 1 --threads 1 --out "$runs"
npx regiongym leaderboard "$runs" --out "$out" --upper-bound "$out/upper-bound/result.json" --policy "$out/policy"
