"""Entropy (H) as a Python agent: per pool, the allowed candidate of highest mean pixel entropy (ties to
the lowest index), exactly as regiongym's built-in `entropy` agent chooses.
Run:  npx regiongym bench --agents "exec:python3 clients/python/entropy_agent.py" ..."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from regiongym_agent import Agent, run  # noqa: E402


class EntropyAgent(Agent):
    name = "python-entropy"
    needs = ["entropy"]
    baseline = True

    def act(self, obs, info, seed):
        k_pools, n_cands = obs["pools"].shape[0], obs["pools"].shape[1]
        mask, entropy = obs["actionMask"].values, info["candidates"]["entropy"].values
        action = []
        for k in range(k_pools):
            best = -1
            for n in range(n_cands):
                i = k * n_cands + n
                if mask[i] and (best < 0 or entropy[i] > entropy[k * n_cands + best]):
                    best = n
            action.append(max(best, 0))
        return action


if __name__ == "__main__":
    run(EntropyAgent())
