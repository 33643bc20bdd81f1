/**
 * Policy training (ralis-spec.md §6.1): episodes on the policy-training pool (D_T) with the state set
 * and reward set of the protocol; the DQN learns from every step; the policy is checkpointed after each
 * episode (atomic writes) and can resume from the last checkpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { Rng } from '../env/core/rng.ts';
import { writeFileAtomic } from '../env/core/fs.ts';
import { DqnAgent } from '../agents/dqn/dqn-agent.ts';
import type { DqnConfig } from '../agents/dqn/config.ts';
import { makeEnv, type MakeEnvOptions } from '../env/make-env.ts';
import type { Protocol } from '../env/protocol/load.ts';

export interface PolicyProgress {
  episode: number;
  episodes: number;
  step: number;
  reward: number;
  epsilon: number;
  loss: number | null;
  usedRegions: number;
  budgetRegions: number;
  elapsedMs: number;
  /** Estimated time to finish all episodes, from the mean episode time so far. */
  etaMs: number | null;
}

export interface EpisodeSummary {
  episode: number;
  return: number;
  finalRewardMIoU: number;
  steps: number;
  ms: number;
}

export interface TrainPolicyOptions {
  episodes: number;
  seed: number;
  outDir: string;
  dqn?: Partial<DqnConfig>;
  /** Continue from the checkpoint in outDir when there is one. */
  resume?: boolean;
  env?: MakeEnvOptions;
}

const STATE_FILE = 'training.json';

export async function trainPolicy(protocol: Protocol, opts: TrainPolicyOptions, progress?: Subject<PolicyProgress>): Promise<EpisodeSummary[]> {
  const env = makeEnv(protocol, { ...opts.env, phase: 'policy', seed: opts.seed });
  const rng = new Rng(opts.seed);
  const statePath = join(opts.outDir, STATE_FILE);
  let history: EpisodeSummary[] = [];
  let agent: DqnAgent;
  let [obs, info] = await env.reset({ seed: opts.seed });
  if (opts.resume && existsSync(statePath)) {
    history = (JSON.parse(readFileSync(statePath, 'utf8')) as { history: EpisodeSummary[] }).history;
    agent = await DqnAgent.load(join(opts.outDir, 'policy'), rng.fork('agent'));
    agent.training = true;
  } else {
    agent = new DqnAgent(DqnAgent.shapeOf(obs), rng.fork('agent'), opts.dqn);
  }
  const actRng = rng.fork('act');
  const t0 = performance.now();
  // a resumed run estimates time left from the checkpointed episodes too
  const episodeMs: number[] = history.map((h) => h.ms);
  try {
    for (let episode = history.length; episode < opts.episodes; episode++) {
      const te = performance.now();
      // every episode has its own seed, so a resumed run replays the same episodes
      if (episode > 0 || history.length > 0) [obs, info] = await env.reset({ seed: (opts.seed + 1000003 * (episode + 1)) >>> 0 });
      agent.beginEpisode();
      let ret = 0;
      let steps = 0;
      for (let done = false; !done; ) {
        const action = await agent.act(obs, info, actRng);
        const [nextObs, reward, terminated, truncated, nextInfo] = await env.step(action);
        await agent.observe({ action, reward, nextObs, nextInfo, terminated, truncated });
        ret += reward;
        steps += 1;
        obs = nextObs;
        info = nextInfo;
        done = terminated || truncated;
        const meanEpisodeMs = episodeMs.length ? episodeMs.reduce((a, b) => a + b) / episodeMs.length : null;
        progress?.next({
          episode: episode + 1, episodes: opts.episodes, step: steps, reward, epsilon: agent.stats.epsilon, loss: agent.stats.lastLoss,
          usedRegions: info.usedRegions, budgetRegions: info.budgetRegions, elapsedMs: performance.now() - t0,
          etaMs: meanEpisodeMs === null ? null : Math.max(0, meanEpisodeMs * (opts.episodes - episode) - (performance.now() - te)),
        });
      }
      episodeMs.push(performance.now() - te);
      history.push({ episode: episode + 1, return: ret, finalRewardMIoU: info.rewardMIoU, steps, ms: performance.now() - te });
      await agent.save(join(opts.outDir, 'policy'));
      writeFileAtomic(statePath, JSON.stringify({ protocol: protocol.name, seed: opts.seed, episodes: opts.episodes, history }, null, 1));
    }
    return history;
  } finally {
    progress?.complete();
    agent.dispose();
    env.close();
  }
}
