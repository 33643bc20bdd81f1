#!/usr/bin/env bash
# camvid-ralis-dt's first look under its first final-training rule (patience 4, at most 30 epochs), kept
# as published. The protocol now trains with patience 20 (at most 100 epochs), so these runs can no longer
# be extended: this script only regenerates the page, byte for byte, from the runs and bounds here.
# The runs and bounds were made by results/make-camvid-ralis-dt.sh and make-bound.sh at commit cd21944
# (protocol.json here is `git show cd21944:env/protocol/protocols/camvid-ralis-dt.json`, the protocol they
# ran; the overlays need it).
set -euo pipefail
cd "$(dirname "$0")/../../../.."
export REGIONGYM_CAMVID="${REGIONGYM_CAMVID:-../shared/datasets/camvid}"
d=results/camvid-ralis-dt/superseded/patience4
npx regiongym leaderboard "$d/runs.jsonl" --out "$d" --protocol "$d/protocol.json" --upper-bound "$d"/upper-bound-seed{20,50,82}/result.json
