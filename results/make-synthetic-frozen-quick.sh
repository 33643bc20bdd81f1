#!/usr/bin/env bash
# Reproduces results/synthetic-frozen-quick: npm start's protocol (built-in synthetic scenes on the frozen
# encoder, 12 seeds, 48-192 regions) with the DQN trained five times (training seeds 1-5, 8 episodes
# each, validated every 4 episodes on 5 fixed episodes), every run's best validated checkpoint evaluated
# on every seed: the board's replicated DQN row (mean over the 5 training runs) and their spread. (The
# last checkpoints, the paper's rule, were not evaluated for lack of CPU in this session: add
# "dqn=$out/policy-seed$s/policy" benches and the board gets that row too.) Each command resumes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/synthetic-frozen-quick
runs=$out/runs.jsonl
[ -f "$out/upper-bound/result.json" ] || npx regiongym train-supervised --protocol synthetic-frozen-quick --epochs 40 --patience 8 --seed 0 --out "$out/upper-bound"
for s in 1 2 3 4 5; do
  npx regiongym train-policy --protocol synthetic-frozen-quick --episodes 8 --validate-every 4 --validate-episodes 5 --seed "$s" --threads 1 --out "$out/policy-seed$s" --resume
done
npx regiongym bench --protocol synthetic-frozen-quick --agents random,entropy,impurity --workers 2 --threads 1 --out "$runs"
for s in 1 2 3 4 5; do
  npx regiongym bench --protocol synthetic-frozen-quick --agents "dqn=$out/policy-seed$s/best" --workers 2 --threads 1 --out "$runs"
done
npx regiongym leaderboard "$runs" --out "$out" --upper-bound "$out/upper-bound/result.json" --policy "$out"/policy-seed{1,2,3,4,5}
