#!/usr/bin/env bash
# Reproduces results/synthetic-quick: every baseline and the oracle on the quick synthetic protocol
# (UNet-S, built-in data, no download), its 3 seeds and 3 budgets; the upper bound; the leaderboard.
# Re-running resumes (adds nothing when complete). Default engines.
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/synthetic-quick
[ -f "$out/upper-bound/result.json" ] || npx regiongym train-supervised --protocol synthetic-quick --epochs 30 --patience 8 --seed 0 --out "$out/upper-bound"
npx regiongym bench --protocol synthetic-quick --agents random,entropy,bald,margin,class-balanced,impurity,power-entropy,power-bald,coreset,badge,image-random,image-entropy,oracle --workers 1 --threads 1 --out "$out/runs.jsonl"
npx regiongym leaderboard "$out/runs.jsonl" --out "$out" --upper-bound "$out/upper-bound/result.json"
