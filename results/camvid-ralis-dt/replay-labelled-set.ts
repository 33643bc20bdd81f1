/**
 * One trajectory's labelled set as the sweep built it: the episode replayed on its start model from the
 * action log beside RUNS up to BUDGET, each step's reward checked against the log. Shared by the
 * final-training scripts of this folder (final-training-curve.ts, final-training-luck.ts).
 */
import { envOptions } from '../../env/make-env.ts';
import { ActiveSegEnv } from '../../env/active-seg-env.ts';
import { protocolHash } from '../../env/protocol/hash.ts';
import { trajectoryId } from '../../benchmarks/sweep/identity.ts';
import { actionLogFile, readActionLog } from '../../benchmarks/sweep/runner/action-log.ts';
import { LabelledSet } from '../../env/labelled-set.ts';
import type { Protocol } from '../../env/protocol/load.ts';
import type { SegDataset } from '../../env/data/dataset.ts';
import type { SegLearner } from '../../env/learners/learner.ts';

export interface ReplayedSet {
  readonly set: LabelledSet;
  /** Close the replayed env (after the set's last use). */
  readonly close: () => void;
}

export async function replayLabelledSet(p: Protocol, data: SegDataset, runs: string, agent: string, seed: number, budget: number, start: SegLearner, cacheDir: string, envId: string): Promise<ReplayedSet> {
  const hash = protocolHash(p);
  const key = { trajectory: trajectoryId(hash, agent, seed), protocolHash: hash, agentId: agent, seed };
  const log = readActionLog(actionLogFile(runs, key.trajectory), key);
  if (!log) throw new Error(`no action log for ${agent} seed ${seed} beside ${runs}`);
  const env = new ActiveSegEnv({ ...envOptions(p, data, { phase: 'eval', budgetRegions: budget, seed, initialModel: start, statistics: [], learnerCacheDir: cacheDir }) }, { id: envId });
  let [, info] = await env.reset({ seed });
  for (const [i, s] of log.steps.entries()) {
    if (info.usedRegions >= budget) break;
    const out = await env.step(Int32Array.from(s.action));
    info = out[4];
    if (out[1] !== s.reward) throw new Error(`step ${i + 1} replayed to reward ${out[1]}, the log says ${s.reward}`);
  }
  const set = new LabelledSet(env.grid, env.pool, Array.from(info.labeledRegionIds.slice(0, budget)), data.numClasses, data.ignoreIndex);
  return { set, close: () => env.close() };
}
