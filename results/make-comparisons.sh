#!/usr/bin/env bash
# The cross-protocol tables (regiongym compare), from the published runs files:
#   compare-synthetic-learners.md   one data set on two learners (UNet-S from scratch, frozen encoder):
#                                   what the learner does to the ranking
#   compare-synthetic-camvid.md     one learner on two data sets: whether the synthetic board ranks the
#                                   agents as CamVid does
set -euo pipefail
cd "$(dirname "$0")/.."
dt_runs=(results/camvid-ralis-dt/policy-seed{1,2,3,4,5})
npx regiongym compare results/synthetic/runs.jsonl results/synthetic-frozen/runs.jsonl \
  --policy results/synthetic/policy results/synthetic-frozen/policy results/synthetic-frozen/policy-validate-3 \
  --out results/compare-synthetic-learners.md
npx regiongym compare results/synthetic-frozen/runs.jsonl results/camvid-ralis-cold-linear/runs.jsonl \
  --policy results/synthetic-frozen/policy results/synthetic-frozen/policy-validate-3 results/camvid-ralis-cold-linear/policy \
    results/camvid-ralis-cold-linear/policy-lr-decay results/camvid-ralis-cold-linear/policy-prioritized results/camvid-ralis-cold-linear/policy-first-reward-zero \
  --out results/compare-synthetic-camvid.md
#   compare-camvid-learners.md      CamVid on UNet-S from scratch and on the frozen encoder, at 480
#                                   regions (the one budget camvid-ralis-unet has on all 10 seeds)
npx regiongym compare results/camvid-ralis-unet/runs.jsonl results/camvid-ralis-cold-linear/runs.jsonl --budgets 480 \
  --policy results/camvid-ralis-unet/policy results/camvid-ralis-cold-linear/policy results/camvid-ralis-cold-linear/policy-lr-decay results/camvid-ralis-cold-linear/policy-prioritized results/camvid-ralis-cold-linear/policy-first-reward-zero \
  --out results/compare-camvid-learners.md
#   compare-camvid-learners-to-960.md   the same at 480, 720 and 960 regions, every budget camvid-ralis-unet
#                                       has on the paper's 5 seeds (AUBC: the mean over the three)
npx regiongym compare results/camvid-ralis-unet/runs.jsonl results/camvid-ralis-cold-linear/runs.jsonl --budgets 480,720,960 \
  --policy results/camvid-ralis-unet/policy results/camvid-ralis-cold-linear/policy results/camvid-ralis-cold-linear/policy-lr-decay results/camvid-ralis-cold-linear/policy-prioritized results/camvid-ralis-cold-linear/policy-first-reward-zero \
  --out results/compare-camvid-learners-to-960.md
# Every published protocol at once (each at its own budgets): which comparisons with random hold on every
# learner, regime and data set, which flip, and the relative AUBC gain over random aggregated across them.
# camvid-ralis-dt, the main protocol, is in it with what it has run, on the seeds every one of its agents has
# finished (--whole-seeds, as its page: its sweep adds seeds one at a time). Its DQN training runs ($dt_runs) name
# its checkpoints' runs and fold them as its page does: one row per checkpoint rule once every run with all
# its episodes is benched, none before (a run still training is a configuration of its own, without runs).
npx regiongym compare results/synthetic/runs.jsonl results/synthetic-frozen/runs.jsonl results/camvid-ralis-cold-linear/runs.jsonl results/camvid-ralis-unet/runs.jsonl results/camvid-ralis-dt/runs.jsonl \
  --policy results/synthetic/policy results/synthetic-frozen/policy results/synthetic-frozen/policy-validate-3 results/camvid-ralis-unet/policy \
    results/camvid-ralis-cold-linear/policy results/camvid-ralis-cold-linear/policy-lr-decay results/camvid-ralis-cold-linear/policy-prioritized results/camvid-ralis-cold-linear/policy-first-reward-zero \
    "${dt_runs[@]}" \
  --whole-seeds camvid-ralis-dt --out results/compare-all.md
#   compare-camvid-regimes.md   the three CamVid regimes the project publishes, on the agents they share:
#                               the paper's (camvid-ralis-dt: D_T start, MLP-64 head, D_T in every final
#                               training), the cold start on the linear head (camvid-ralis-cold-linear) and UNet-S from
#                               scratch (camvid-ralis-unet), at 480, 720 and 960 regions (every budget the
#                               UNet-S board has on its seeds)
npx regiongym compare results/camvid-ralis-dt/runs.jsonl results/camvid-ralis-cold-linear/runs.jsonl results/camvid-ralis-unet/runs.jsonl --budgets 480,720,960 \
  --policy results/camvid-ralis-unet/policy results/camvid-ralis-cold-linear/policy "${dt_runs[@]}" \
  --whole-seeds camvid-ralis-dt --out results/compare-camvid-regimes.md
#   compare-camvid-start.md     the paper's regime against the cold start, both frozen-encoder, at all six budgets
npx regiongym compare results/camvid-ralis-dt/runs.jsonl results/camvid-ralis-cold-linear/runs.jsonl \
  --policy results/camvid-ralis-cold-linear/policy "${dt_runs[@]}" \
  --whole-seeds camvid-ralis-dt --out results/compare-camvid-start.md
