#!/usr/bin/env bash
# Reproduces results/camvid-ralis-cold-linear, command by command as it was made (each resumes: re-running adds
# nothing once its runs are in runs.jsonl). Needs the CamVid folder (REGIONGYM_CAMVID, default
# ../shared/datasets/camvid). Default engines; 1 native thread per worker.
#
# Made within several sessions' CPU on 2 cores, so short of the protocol's plan (issue 13): random, entropy,
# BALD, the DQN, Core-Set, impurity, margin, BADGE, class-balanced, power-entropy, power-BALD, image-random
# and image-entropy on all 10 seeds at every budget; the oracle on 3 seeds at all 6 budgets; the
# three variants' best checkpoints (lr decay, prioritized replay, first reward against 0; 25 episodes each)
# on all 10 seeds. The DQN trained
# 56 episodes in the first session and was resumed to 100 by a version that did not yet keep the replay
# buffer (episodes 57-100 started from an empty one; runs made now resume bit for bit from
# training-state.bin). The lr-decay variant stops at 25 episodes: its lr is 1e-3 * 0.97^500 = 2.4e-10 by
# then, so later episodes cannot move its weights. To extend, add seeds or drop `--budgets`.
set -euo pipefail
cd "$(dirname "$0")/.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
out=results/camvid-ralis-cold-linear
runs=$out/runs.jsonl
[ -f "$out/upper-bound/result.json" ] || npx regiongym train-supervised --protocol camvid-ralis-cold-linear --epochs 12 --seed 0 --threads 1 --out "$out/upper-bound"
npx regiongym train-policy --protocol camvid-ralis-cold-linear --episodes 100 --validate-every 5 --seed 20 --threads 1 --out "$out/policy" --resume
npx regiongym train-policy --protocol camvid-ralis-cold-linear --episodes 25 --lr-decay 0.97 --validate-every 5 --seed 20 --threads 1 --out "$out/policy-lr-decay" --resume
# the paper's text against its code, one setting at a time against the main run, 25 episodes as the lr-decay variant
npx regiongym train-policy --protocol camvid-ralis-cold-linear --episodes 25 --replay prioritized --validate-every 5 --seed 20 --threads 1 --out "$out/policy-prioritized" --resume
npx regiongym train-policy --protocol camvid-ralis-cold-linear --episodes 25 --first-reward-against-zero --validate-every 5 --seed 20 --threads 1 --out "$out/policy-first-reward-zero" --resume
npx regiongym bench --protocol camvid-ralis-cold-linear --agents random,entropy,bald --seeds 20,50,82,12,4560 --workers 2 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-cold-linear --agents margin --seeds 20 --workers 1 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-cold-linear --agents "dqn=$out/policy/best" --seeds 20,50,82,12,4560 --workers 2 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-cold-linear --agents "random,entropy,dqn=$out/policy/best" --seeds 101,202,303,404,505 --workers 2 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-cold-linear --agents "dqn=$out/policy-lr-decay/best" --seeds 20,50,82 --workers 2 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-cold-linear --agents "dqn=$out/policy-prioritized/best" --seeds 20,50,82 --workers 2 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-cold-linear --agents "dqn=$out/policy-first-reward-zero/best" --seeds 20,50,82 --workers 2 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-cold-linear --agents bald --seeds 101,202,303,404,505 --workers 2 --threads 1 --out "$runs"
# superseded: the best checkpoint after the first 56 episodes (episode 35), evaluated before training went on
# to 100 and episode 90 validated higher; kept apart so the board shows the policy the protocol picks
npx regiongym bench --protocol camvid-ralis-cold-linear --agents "dqn=$out/superseded/dqn-best-episode-35/policy" --seeds 20,50,82 --workers 2 --threads 1 --out "$out/superseded/dqn-best-episode-35/runs.jsonl"
npx regiongym bench --protocol camvid-ralis-cold-linear --agents image-random,image-entropy,margin,power-entropy,class-balanced,impurity,badge,coreset,power-bald \
  --seeds 20,50,82 --budgets 480,720 --workers 2 --threads 1 --out "$runs"
# the two baselines that led random at 480/720 (Core-Set, impurity), on every budget
npx regiongym bench --protocol camvid-ralis-cold-linear --agents coreset,impurity --seeds 20,50,82 --workers 2 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-cold-linear --agents coreset,impurity --seeds 12,4560 --workers 2 --threads 1 --out "$runs"   # 1585 s beside 2 other jobs
npx regiongym bench --protocol camvid-ralis-cold-linear --agents coreset,impurity --seeds 101,202,303,404,505 --workers 2 --threads 1 --out "$runs"   # 2952 s
# the greedy oracle (S = 2 probed candidates per pool, 48 reward probes a step: 62 s a step) at the first budget
npx regiongym bench --protocol camvid-ralis-cold-linear --agents oracle --seeds 20,50,82 --budgets 480 --workers 2 --threads 1 --out "$runs"   # 2434 s
# and on to 960 (each trajectory labels again through 480, its run there kept; 80-105 s a step per trajectory this time, so
# the whole curve to 1920 is a cluster job)
npx regiongym bench --protocol camvid-ralis-cold-linear --agents oracle --seeds 20,50,82 --budgets 480,720,960 --workers 2 --threads 1 --out "$runs"   # 7606 s
# and on to 1920 (every step is logged in runs.jsonl.actions/, so a stopped run replays its steps at ~2 s each and goes on;
# seeds 20 and 50 ran 2 workers over two sessions, seed 82 ran alone: replayed 10 steps, then 3985 s for 70 steps, ~110 s a step)
npx regiongym bench --protocol camvid-ralis-cold-linear --agents oracle --seeds 20,50,82 --budgets 480,720,960,1200,1440,1920 --workers 2 --threads 1 --out "$runs"
# margin and BADGE on the paper's 5 seeds at every budget (two processes of this line shared the work)
npx regiongym bench --protocol camvid-ralis-cold-linear --agents margin,badge --seeds 20,50,82,12,4560 --workers 1 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-cold-linear --agents class-balanced,power-entropy --seeds 20,50,82 --workers 2 --threads 1 --out "$runs"   # 1310 s
npx regiongym bench --protocol camvid-ralis-cold-linear --agents margin,badge --seeds 101,202,303,404,505 --workers 2 --threads 1 --out "$runs"   # 6159 s beside 2-3 other jobs
npx regiongym bench --protocol camvid-ralis-cold-linear --agents class-balanced,power-entropy --seeds 12,4560 --workers 2 --threads 1 --out "$runs"   # 1585 s beside 2 other jobs
npx regiongym bench --protocol camvid-ralis-cold-linear --agents class-balanced,power-entropy --seeds 101,202,303,404,505 --workers 1 --threads 1 --out "$runs"   # 2957 s beside 1 other job
# the whole-image agents on every budget (RQ2 at all budgets)
npx regiongym bench --protocol camvid-ralis-cold-linear --agents image-random,image-entropy --seeds 20,50,82 --workers 1 --threads 1 --out "$runs"   # 1006 s beside 1 other job
npx regiongym bench --protocol camvid-ralis-cold-linear --agents power-bald --seeds 20,50 --workers 2 --threads 1 --out "$runs"   # 676 s
# power-BALD and the whole-image agents on the rest of the paper's 5 seeds at every budget
npx regiongym bench --protocol camvid-ralis-cold-linear --agents power-bald --seeds 82,12,4560 --workers 1 --threads 1 --out "$runs"   # 2752 s beside 1 other job
npx regiongym bench --protocol camvid-ralis-cold-linear --agents image-random,image-entropy --seeds 12,4560 --workers 1 --threads 1 --out "$runs"   # 933 s beside 1 other job
npx regiongym bench --protocol camvid-ralis-cold-linear --agents power-bald --seeds 101,202 --workers 2 --threads 1 --out "$runs"   # 1012 s
# power-BALD and the whole-image agents on the remaining seeds, so every agent but the oracle and the DQN variants has all 10
# (spans from the runs' finishedAt stamps, beside 1 other job: about 2600 s and 1900 s)
npx regiongym bench --protocol camvid-ralis-cold-linear --agents power-bald --seeds 303,404,505 --workers 1 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-cold-linear --agents image-random,image-entropy --seeds 101,202,303,404,505 --workers 1 --threads 1 --out "$runs"
# the three variants' best checkpoints on the other seven seeds; bench printed, for lr decay / prioritized /
# first reward against 0: 531, 427, 403 s on 12, 4560; 378, 364, 328 s on 101, 202; 552, 602, 560 s on 303-505
for seeds in 12,4560 101,202 303,404,505; do
  for variant in policy-lr-decay policy-prioritized policy-first-reward-zero; do
    npx regiongym bench --protocol camvid-ralis-cold-linear --agents "dqn=$out/$variant/best" --seeds "$seeds" --workers 2 --threads 1 --out "$runs"
  done
done

npx regiongym leaderboard "$runs" --out "$out" --upper-bound "$out/upper-bound/result.json" --policy "$out/policy" "$out/policy-lr-decay" "$out/policy-prioritized" "$out/policy-first-reward-zero"
