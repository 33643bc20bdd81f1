#!/usr/bin/env bash
# Reproduces results/synthetic: upper bound, DQN policy, bench of 4 agents × 5 seeds × 4 budgets, leaderboard.
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/synthetic
npx regiongym train-supervised --inference tfjs --training tfjs --protocol synthetic --epochs 30 --patience 8 --seed 0 --out "$out/upper-bound"
npx regiongym train-policy --inference tfjs --training tfjs --protocol synthetic --episodes 20 --seed 0 --out "$out/policy" --resume
npx regiongym bench --inference tfjs --training tfjs --protocol synthetic --agents "random,entropy,bald,dqn=$out/policy/policy" --workers 2 --out "$out/runs.jsonl"
npx regiongym leaderboard "$out/runs.jsonl" --out "$out" --upper-bound "$out/upper-bound/result.json"
