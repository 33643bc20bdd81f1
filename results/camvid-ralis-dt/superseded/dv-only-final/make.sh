#!/usr/bin/env bash
# camvid-ralis-dt's first look when the final training trained the D_T model on the labelled D_V regions
# alone (protocol hash b54837edea5e876b), kept as published: 36 runs (random, entropy and BALD on seeds
# 20 and 50, all 6 budgets) and the bounds of seeds 20, 50 and 82. The protocol now trains on D_T as well
# (finalTraining.withStartSplit), so these runs can no longer be extended: this script only regenerates
# the page, byte for byte, from the runs and bounds here. They were made by results/make-camvid-ralis-dt.sh
# and make-bound.sh before commit 6f4500e (protocol.json here is `git show 6f4500e:env/protocol/protocols/camvid-ralis-dt.json`,
# the protocol they ran; the overlays need it). Why the rule changed: results/README.md, camvid-ralis-dt,
# and ../../final-training-curves.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../../../.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
d=results/camvid-ralis-dt/superseded/dv-only-final
npx regiongym leaderboard "$d/runs.jsonl" --out "$d" --protocol "$d/protocol.json" --upper-bound "$d"/upper-bound-seed{20,50,82}/result.json
