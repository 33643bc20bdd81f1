#!/usr/bin/env bash
# Reproduces results/synthetic (UNet-S from scratch) or results/synthetic-frozen (the frozen COCO encoder
# with a linear head), both on the built-in synthetic data (no download):
#   bash results/make-synthetic.sh synthetic-frozen
#   bash results/make-synthetic.sh synthetic
# The upper bound; the RALIS DQN trained for the paper's 100 episodes on the policy pool (validated every
# 5 episodes on one episode, the paper's rule; the best validated checkpoint benched); random, entropy,
# BALD and that DQN on 10 seeds (the protocol's 5 and 101 … 505) at every budget; the leaderboard.
# On synthetic-frozen also every other baseline on the 10 seeds, the greedy oracle on 3, and a second
# DQN validated on 3 episodes per check (less noise in which checkpoint is picked), and the oracle with
# 8 candidates per pool on the 3 seeds (does probing more make it a ceiling?). On synthetic (UNet-S,
# ~6× dearer per trajectory) the other baselines on the 10 seeds and the oracle on 3 too. Each line
# resumes: re-running adds nothing once its runs are in. Default engines, 1 native thread.
set -euo pipefail
cd "$(dirname "$0")/.."
protocol="${1:?usage: make-synthetic.sh synthetic|synthetic-frozen}"
case "$protocol" in synthetic | synthetic-frozen) ;; *) echo "make-synthetic.sh: protocol '$protocol' is not synthetic or synthetic-frozen" >&2; exit 2 ;; esac
out=results/$protocol
runs=$out/runs.jsonl
seeds=20,50,82,12,4560,101,202,303,404,505
policies=("$out/policy")
[ -f "$out/upper-bound/result.json" ] || npx regiongym train-supervised --protocol "$protocol" --epochs 30 --patience 8 --seed 0 --threads 1 --out "$out/upper-bound"
npx regiongym train-policy --protocol "$protocol" --episodes 100 --validate-every 5 --seed 20 --threads 1 --out "$out/policy" --resume
# (two processes of this line shared the work on synthetic)
npx regiongym bench --protocol "$protocol" --agents "random,entropy,bald,dqn=$out/policy/best" --seeds "$seeds" --workers 1 --threads 1 --out "$runs"
# synthetic: 4306 s for this line and 436 s for the oracle on 2 workers (beside a 1-worker job at first)
npx regiongym bench --protocol "$protocol" --agents margin,class-balanced,impurity,power-entropy,power-bald,coreset,badge,image-random,image-entropy --seeds "$seeds" --workers 1 --threads 1 --out "$runs"
npx regiongym bench --protocol "$protocol" --agents oracle --seeds 20,50,82 --workers 1 --threads 1 --out "$runs"
if [ "$protocol" = synthetic-frozen ]; then
  # 720 s on 1 worker
  npx regiongym bench --protocol "$protocol" --agents oracle=8 --seeds 20,50,82 --workers 1 --threads 1 --out "$runs"
  npx regiongym train-policy --protocol "$protocol" --episodes 100 --validate-every 5 --validate-episodes 3 --seed 20 --threads 1 --out "$out/policy-validate-3" --resume
  npx regiongym bench --protocol "$protocol" --agents "dqn=$out/policy-validate-3/best" --seeds "$seeds" --workers 1 --threads 1 --out "$runs"
  policies+=("$out/policy-validate-3")
fi
npx regiongym leaderboard "$runs" --out "$out" --upper-bound "$out/upper-bound/result.json" --policy "${policies[@]}"
