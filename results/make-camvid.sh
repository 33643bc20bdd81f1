#!/usr/bin/env bash
# Reproduces results/camvid (needs the CamVid folder: REGIONGYM_CAMVID, default ../shared/datasets/camvid).
set -euo pipefail
cd "$(dirname "$0")/.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
out=results/camvid
p=$out/protocol.json
npx regiongym train-supervised --inference tfjs --training tfjs --protocol "$p" --epochs 20 --patience 6 --lr 0.01 --crop 48 --seed 0 --out "$out/upper-bound"
npx regiongym train-policy --inference tfjs --training tfjs --protocol "$p" --episodes 10 --seed 20 --out "$out/policy" --resume
npx regiongym bench --inference tfjs --training tfjs --protocol "$p" --agents "random,entropy,bald,dqn=$out/policy/policy" --workers 2 --out "$out/runs.jsonl"
npx regiongym leaderboard "$out/runs.jsonl" --out "$out" --upper-bound "$out/upper-bound/result.json"
