#!/usr/bin/env bash
# Reproduces results/camvid-ralis-unet: the RALIS CamVid protocol on UNet-S trained from scratch (the
# paper's full fine-tuning, scale 0.4), set beside camvid-ralis-cold-linear (frozen encoder) to show what the
# learner does to the ranking. Each line resumes: re-running adds nothing once its runs are in runs.jsonl.
# Needs the CamVid folder (REGIONGYM_CAMVID, default ../shared/datasets/camvid).
#
# Run here at the first three budgets only: random / entropy / BALD / the protocol's own DQN on 10 seeds (the
# paper's 5 and 101-505) at 480 regions and on the paper's 5 and 101-404 at 720 and 960, with the full-supervision upper bound: a trajectory to 480 costs about 75 s of
# labelling (random) but its final training (up to 100 epochs, patience 15) about 310 s, and the final
# training grows with the labelled set, so the protocol's six budgets and 10 seeds are a cluster job
# (deploy/slurm/sweep.sbatch with PROTOCOL=camvid-ralis-unet), not a 2-core one. To extend, drop
# `--budgets` (the 480 runs are kept and each trajectory labels on to 1920).
set -euo pipefail
cd "$(dirname "$0")/.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
out=results/camvid-ralis-unet
runs=$out/runs.jsonl
mkdir -p "$out"
npx regiongym bench --protocol camvid-ralis-unet --agents random,entropy --seeds 20,50,82,12,4560 --budgets 480 --workers 1 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-unet --agents bald --seeds 20,50,82,12,4560 --budgets 480 --workers 1 --threads 1 --out "$runs"
# full supervision on this protocol's learner and training settings, the final training's 100 epochs and patience 15 (1294 s; it ran all 100, best at epoch 85)
[ -f "$out/upper-bound/result.json" ] || npx regiongym train-supervised --protocol camvid-ralis-unet --epochs 100 --patience 15 --seed 0 --threads 1 --out "$out/upper-bound"
# the protocol's own DQN: the paper's 100 episodes on D_T with UNet-S fine-tuned every step (2.27 h with validation; trained into a scratch folder, copied here without its 37 MB replay-buffer state)
npx regiongym train-policy --protocol camvid-ralis-unet --episodes 100 --validate-every 5 --seed 20 --threads 1 --out "$out/policy" --resume
npx regiongym bench --protocol camvid-ralis-unet --agents "dqn=$out/policy/best" --seeds 20,50,82,12,4560 --budgets 480 --workers 1 --threads 1 --out "$runs"   # 1836 s beside 1 other job (run on the episode-55 checkpoint, best validated of the 100)

# the same four on five more seeds (spans from the runs' finishedAt stamps, one process each, beside 1 other job
# for all of the first and half of the second: about 2500 s and 3750 s)
npx regiongym bench --protocol camvid-ralis-unet --agents "random,entropy,bald,dqn=$out/policy/best" --seeds 101,202 --budgets 480 --workers 1 --threads 1 --out "$runs"
npx regiongym bench --protocol camvid-ralis-unet --agents "random,entropy,bald,dqn=$out/policy/best" --seeds 303,404,505 --budgets 480 --workers 1 --threads 1 --out "$runs"
# the second budget (720) on the paper's 5 seeds: each trajectory labels again through 480 (its run there is kept) and on to 720
npx regiongym bench --protocol camvid-ralis-unet --agents "random,entropy,bald,dqn=$out/policy/best" --seeds 20,50,82,12,4560 --budgets 480,720 --workers 2 --threads 1 --out "$runs"   # 4028 s
# the third (960) on the same seeds: each trajectory labels again through 720 and on to 960
npx regiongym bench --protocol camvid-ralis-unet --agents "random,entropy,bald,dqn=$out/policy/best" --seeds 20,50,82,12,4560 --budgets 480,720,960 --workers 2 --threads 1 --out "$runs"   # 8807 s
# the second budget (720) on seed 101 too, so 720 has 6 seeds (its 480 runs are kept; each trajectory, logged nowhere before, labels again from its seed through 480 to 720)
npx regiongym bench --protocol camvid-ralis-unet --agents "random,entropy,bald,dqn=$out/policy/best" --seeds 101 --budgets 480,720 --workers 2 --threads 1 --out "$runs"   # 999 s
# the third (960) on 101 and the second and third on 202: 101's logs from the earlier session did not replay here (step 1 rewards
# differ in the 3rd digit: onnxruntime on another kind of CPU, most likely), so they were set aside and its trajectories labelled again
npx regiongym bench --protocol camvid-ralis-unet --agents "random,entropy,bald,dqn=$out/policy/best" --seeds 101,202 --budgets 480,720,960 --workers 2 --threads 1 --out "$runs"   # 3133 s
# the second and third on 303 and 404 (9 seeds at 720 and 960)
npx regiongym bench --protocol camvid-ralis-unet --agents "random,entropy,bald,dqn=$out/policy/best" --seeds 303,404 --budgets 480,720,960 --workers 2 --threads 1 --out "$runs"   # 3663 s

npx regiongym leaderboard "$runs" --out "$out" --upper-bound "$out/upper-bound/result.json" --policy "$out/policy"
