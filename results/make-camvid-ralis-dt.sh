#!/usr/bin/env bash
# Reproduces results/camvid-ralis-dt, the paper's regime (protocol camvid-ralis-dt: the MLP head, every
# episode starting from the head trained on all of D_T, final training with early stopping on the
# reward set). Each command resumes: re-running adds nothing once its runs are in runs.jsonl. Needs the
# CamVid folder (REGIONGYM_CAMVID, default ../shared/datasets/camvid). Default engines (native training
# and inference), 1 native thread per worker.
#
# A first look before the full sweep: random, entropy and BALD on the paper's 5 seeds at all 6 budgets,
# two seeds at a time so that a stopped sweep leaves whole seeds (paired across agents) behind.
# Superseded rules, kept as published: final training on the D_V regions alone, without D_T (the page, 36
# runs on seeds 20 and 50 and its bounds in superseded/dv-only-final); the first (patience 4, at most 30 epochs; page and runs in
# results/camvid-ralis-dt/superseded/patience4) and one crop per labelled image per epoch (patience 20, at
# most 100; 7 entropy runs and 3 bounds in superseded/patience20-crop), and the labelling loop on the
# start's Adam (7 runs, no page, superseded/adam-loop).
# The page's bound: each of the 5 seeds' start models final-trained under the protocol's own rule on every
# region of D_V (results/camvid-ralis-dt/make-bound.sh); the heads' whole-image bounds that chose the head
# are in results/camvid-heads.
set -euo pipefail
cd "$(dirname "$0")/.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
out=results/camvid-ralis-dt
runs=$out/runs.jsonl
first_look() { npx regiongym bench --protocol camvid-ralis-dt --agents random,entropy,bald --seeds "$1" --workers 2 --threads 1 --out "$runs"; }
# the first seed pair before the bounds, so that a short session still leaves whole seeds behind
first_look 20,50
# the five seeds' bounds (a seed whose start model is not cached yet trains it, and the sweep reuses it)
bash results/camvid-ralis-dt/make-bound.sh
first_look 82,12
first_look 4560
episodes=100
# whether training run S has all its episodes
trained() { node -e "process.exit(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).history.length >= Number(process.argv[2]) ? 0 : 1)" "$out/policy-seed$1/training.json" "$episodes" 2>/dev/null; }
# The page, on the seeds every agent has finished (--whole-seeds: item 4's sweep adds seeds one at a time), with the DQN training runs trained so far: their checkpoints' runs fold into one row per
# checkpoint rule once every trained run is benched (until then the verdict says how far the benches are).
page() {
  local policies=()
  for s in 1 2 3 4 5; do if trained "$s"; then policies+=("$out/policy-seed$s"); fi; done
  local bounds=()
  for s in 20 50 82 12 4560 101 202 303 404 505 606 707 808 909 1010 1111 1212 1313 1414 1515; do
    if [ -f "$out/upper-bound-seed$s/result.json" ]; then bounds+=("$out/upper-bound-seed$s/result.json"); fi
  done
  npx regiongym leaderboard "$runs" --whole-seeds --out "$out" --upper-bound "${bounds[@]}" ${policies[@]+--policy "${policies[@]}"}
}
# the first look's page (the heuristics, and whatever the DQN runs below have added), in case the script stops during them
page
# The learned agent, replicated (issue 32): five DQN training runs (training seeds 1-5, two at a time: a
# slot that frees starts the next seed), 100 episodes each (the paper's CamVid script), validated every 10
# episodes on 5 fixed episodes. Both checkpoint rules, fixed before any test: the best of that validation
# curve (best/) and the last (the paper's code; policy/), all ten benched in one sweep on the paper's 5
# evaluation seeds, so that both workers stay busy. A stopped run resumes from its last episode: exactly
# from its training state (training-state.bin, 37 MB, kept out of git), or, on a machine without it, from
# policy/ with an empty replay buffer, which training.json's `resumes` records (exact: false). 45-95 s
# per episode on 2 cores shared by two runs.
train() { npx regiongym train-policy --protocol camvid-ralis-dt --episodes "$episodes" --validate-every 10 --validate-episodes 5 --seed "$1" --threads 1 --out "$out/policy-seed$1" --resume; }
# DQN agents (comma-separated) on the 5 evaluation seeds, on $2 workers
bench_dqn() { npx regiongym bench --protocol camvid-ralis-dt --agents "$1" --seeds 20,50,82,12,4560 --workers "$2" --threads 1 --out "$runs"; }
# a training run's two checkpoints: the best validated and the last
checkpoints_of() { echo "dqn=$out/policy-seed$1/best,dqn=$out/policy-seed$1/policy"; }
# Transfer (issue 32, item 6): the DQN trained on camvid-ralis-cold-linear (cold start from D_S, linear head; its best
# validated checkpoint, the one that board evaluates) deployed on this protocol unchanged: the board labels
# it dqn@camvid-ralis-cold-linear. The state and pool features have the same shapes on both protocols.
transfer=dqn=results/camvid-ralis-cold-linear/policy/best
running=0
for s in 1 2 3 4 5; do
  if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi   # a failed run stops the script here
  train "$s" & running=$((running + 1))
done
# A slot that frees while the last run still trains is not left idle: it benches, on one worker, the
# transfer row and then the checkpoints of the runs already trained (the bench after the loop finds
# them done, or waits for the one in flight: benches on one runs file share it through its claims).
side_bench() {
  bench_dqn "$transfer" 1
  local ready=()
  for s in 1 2 3 4 5; do if trained "$s"; then ready+=("$(checkpoints_of "$s")"); fi; done
  if [ "${#ready[@]}" -gt 0 ]; then bench_dqn "$(IFS=,; echo "${ready[*]}")" 1; fi
}
side=
while [ "$running" -gt 0 ]; do
  wait -n; running=$((running - 1))
  if [ "$running" -gt 0 ] && [ -z "$side" ]; then side_bench & side=$!; fi
done
checkpoints=()
for s in 1 2 3 4 5; do checkpoints+=("$(checkpoints_of "$s")"); done
bench_dqn "$(IFS=,; echo "${checkpoints[*]}")" 2
bench_dqn "$transfer" 2
if [ -n "$side" ]; then wait "$side"; fi
page
# Item 4 (issue 32): the protocol's 15 further evaluation seeds, every agent on the board (the heuristics,
# both checkpoint rules of all five training runs, the transfer row), one seed at a time so that a stopped
# sweep leaves whole seeds behind, paired across every agent; then the seed's bound and the page. A seed's start model
# (D_T) trains on its first use (a few minutes) and is cached. About 14 trajectories, 2 h, per seed on 2 cores.
board="random,entropy,bald,$transfer,$(IFS=,; echo "${checkpoints[*]}")"
for seed in 101 202 303 404 505 606 707 808 909 1010 1111 1212 1313 1414 1515; do
  npx regiongym bench --protocol camvid-ralis-dt --agents "$board" --seeds "$seed" --workers 2 --threads 1 --out "$runs"
  bash results/camvid-ralis-dt/make-bound.sh 1 "$seed"   # the seed's bound, so the page checks the ceiling on it too
  page
done
