/**
 * Policy training (docs/method.md §6.1): episodes on the policy-training pool (D_T) with
 * the protocol's state and reward sets; the DQN learns from every step. After each episode the policy
 * is checkpointed (atomic writes) with its training record; every `validateEvery` episodes the greedy
 * policy runs `validateEpisodes` episodes (default 1, as the paper) on fixed validation seeds and their
 * mean final reward-set mIoU is recorded — the learning curve — and the best validated checkpoint is
 * kept in best/ (the paper's code tests the last policy instead; both are kept). One episode is a noisy judge: on CamVid two checkpoints
 * one episode rated 35.1 % and 35.3 % differed by 1.5–2 AUBC points over 3 seeds (results/README.md).
 * With the policy, the whole learning state (replay buffer, momentum, counters, random streams and this
 * record) is written after every episode to one file, so a stopped run resumes bit for bit. A directory
 * from before that file existed resumes from policy/ with an empty buffer, and the record says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { Rng } from '../../core/rng.ts';
import { writeFileAtomic } from '../../core/fs.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Agent } from '../agent.ts';
import { RandomAgent } from '../../baselines/random.ts';
import { EntropyAgent } from '../../baselines/entropy.ts';
import { DqnAgent } from './dqn-agent.ts';
import { decodeTrainingState, encodeTrainingState, type RngState } from './training-state.ts';
import { DQN_DEFAULTS, type DqnConfig } from './config.ts';
import { makeEnv, protocolData, type MakeEnvOptions } from '../../env/make-env.ts';
import type { Protocol } from '../../env/protocol/load.ts';
import { protocolHash } from '../../env/protocol/hash.ts';
import type { ActiveSegEnv } from '../../env/active-seg-env.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../../env/active-seg-types.ts';
import { initialModel } from '../../env/start-model.ts';

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
  /** Mean Huber TD loss of the episode's updates (null before the buffer holds a batch; absent in older records). */
  meanLoss?: number | null;
}

export interface ValidationPoint {
  /** Episodes trained when validated. */
  episode: number;
  /** Final reward-set mIoU of the greedy policy on the validation seeds, the mean over them when several. */
  rewardMIoU: number;
  return: number;
  ms: number;
  /** Each validation episode's final reward-set mIoU, when there are several (validateEpisodes > 1). */
  perEpisode?: number[];
}

export interface TrainingRecord {
  protocol: string;
  protocolHash: string;
  seed: number;
  episodes: number;
  dqn: Partial<DqnConfig>;
  /** The protocol's reward convention (absent in records written before it was kept: the default). */
  reward?: Protocol['reward'];
  history: EpisodeSummary[];
  validation: ValidationPoint[];
  /** The validated checkpoint kept in best/. */
  best: ValidationPoint | null;
  /** Episodes per validation point (absent in older records: 1). */
  validationEpisodes?: number;
  /** Baselines run once on the validation episodes (their mean): the level the validation curve is to be read against. */
  references?: { agent: string; rewardMIoU: number; return: number; perEpisode?: number[] }[];
  /** Each time the run was resumed: after how many episodes, and whether exactly (from the training state) or with an empty replay buffer. */
  resumes?: { afterEpisodes: number; exact: boolean }[];
}

export interface TrainPolicyOptions {
  episodes: number;
  seed: number;
  outDir: string;
  dqn?: Partial<DqnConfig>;
  /** Continue from the checkpoint in outDir when there is one. */
  resume?: boolean;
  /** Validate the greedy policy every this many episodes (0: never). */
  validateEvery?: number;
  /** Episodes per validation, on fixed seeds; the checkpoint is picked by their mean (default 1, as the paper). */
  validateEpisodes?: number;
  env?: MakeEnvOptions;
  cacheDir?: string | null;
}

export const TRAINING_FILE = 'training.json';
/** The full learning state after the last finished episode (see agents/dqn/training-state.ts). */
export const TRAINING_STATE_FILE = 'training-state.bin';
const VALIDATION_SEED_OFFSET = 7_654_321;
// validation seeds after the first; training episodes' seeds step by 1000003, so the two never meet in practice
const VALIDATION_SEED_STRIDE = 7_919;

/** The training record of a run directory, checked; a ConfigError naming the file when unusable. */
export function readTrainingRecord(dir: string): TrainingRecord {
  const path = join(dir, TRAINING_FILE);
  let doc: Partial<TrainingRecord>;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path} is not a training record (${(e as Error).message.split('\n')[0]}): remove ${dir} to train anew`);
  }
  if (typeof doc.protocolHash !== 'string' || typeof doc.seed !== 'number' || !Array.isArray(doc.history)) throw new ConfigError(`${path} is not a training record written by this version (no protocolHash, seed or history): remove ${dir} to train anew`);
  return { validation: [], best: null, dqn: {}, ...doc } as TrainingRecord;
}

/** Writes a run directory's training record (atomically; one-space indent, no final newline). */
export function writeTrainingRecord(dir: string, record: TrainingRecord): void {
  writeFileAtomic(join(dir, TRAINING_FILE), JSON.stringify(record, null, 1));
}

/** One episode on the validation seed by an agent that does not learn (the DQN greedy, or a baseline). */
async function validate(env: ActiveSegEnv, agent: Agent, seed: number): Promise<{ rewardMIoU: number; return: number }> {
  let [obs, info]: [ActiveSegObs, ActiveSegInfo] = await env.reset({ seed });
  const rng = new Rng(seed).fork('validate');
  let ret = 0;
  for (let done = false; !done; ) {
    const [o, r, term, trunc, i] = await env.step(await agent.act(obs, info, rng));
    ret += r;
    [obs, info, done] = [o, i, term || trunc];
  }
  return { rewardMIoU: info.rewardMIoU, return: ret };
}

/** The validation seeds: the first is the one every earlier record used, so one-episode curves stay comparable. */
export function validationSeeds(seed: number, episodes: number): number[] {
  return Array.from({ length: episodes }, (_, i) => (seed + VALIDATION_SEED_OFFSET + VALIDATION_SEED_STRIDE * i) >>> 0);
}

/** An agent's validation over every seed: the mean, and each episode's mIoU when there are several. */
async function validateOver(env: ActiveSegEnv, agent: Agent, seeds: readonly number[]): Promise<{ rewardMIoU: number; return: number; perEpisode?: number[] }> {
  const results = [];
  for (const seed of seeds) results.push(await validate(env, agent, seed));
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { rewardMIoU: mean(results.map((r) => r.rewardMIoU)), return: mean(results.map((r) => r.return)), ...(seeds.length > 1 ? { perEpisode: results.map((r) => r.rewardMIoU) } : {}) };
}

async function validateGreedy(env: ActiveSegEnv, agent: DqnAgent, seeds: readonly number[]): Promise<{ rewardMIoU: number; return: number; perEpisode?: number[] }> {
  const wasTraining = agent.training;
  agent.training = false;
  try {
    return await validateOver(env, agent, seeds);
  } finally {
    agent.training = wasTraining;
  }
}

/** The baselines every validation curve is read against (random: does the policy beat chance; entropy: the usual heuristic). */
const REFERENCE_AGENTS: readonly (() => Agent)[] = [() => new RandomAgent(), () => new EntropyAgent()];

export async function trainPolicy(protocol: Protocol, opts: TrainPolicyOptions, progress?: Subject<PolicyProgress>): Promise<TrainingRecord> {
  const policyDir = join(opts.outDir, 'policy');
  const hash = protocolHash(protocol);
  const validateEpisodes = opts.validateEpisodes ?? 1;
  if (!Number.isInteger(validateEpisodes) || validateEpisodes < 1) throw new ConfigError(`validateEpisodes must be an integer ≥ 1, got ${validateEpisodes}`);
  let record: TrainingRecord = { protocol: protocol.name, protocolHash: hash, seed: opts.seed, episodes: opts.episodes, dqn: opts.dqn ?? {}, reward: protocol.reward, history: [], validation: [], best: null };
  const hasPolicy = existsSync(join(policyDir, 'model.json'));
  const hasRecord = existsSync(join(opts.outDir, TRAINING_FILE));
  if (opts.resume && (hasPolicy || hasRecord)) {
    if (!hasRecord) throw new ConfigError(`${opts.outDir} holds a policy but no ${TRAINING_FILE}: cannot resume it (remove ${opts.outDir} to train anew)`);
    const old = readTrainingRecord(opts.outDir);
    if (old.protocolHash !== hash) throw new ConfigError(`${opts.outDir} was trained on protocol '${old.protocol}' (${old.protocolHash}), not '${protocol.name}' (${hash}): use another --out`);
    if (old.seed !== opts.seed) throw new ConfigError(`${opts.outDir} was trained with --seed ${old.seed}, not ${opts.seed}: resume with --seed ${old.seed} or use another --out`);
    if (old.history.length > 0 && !hasPolicy) throw new ConfigError(`${opts.outDir}/${TRAINING_FILE} lists ${old.history.length} episodes but ${policyDir} is missing: remove ${opts.outDir} to train anew`);
    // the checkpoint's settings win on resume: a different flag would silently train something else
    for (const key of ['replay', 'lrDecayPerStep'] as const) {
      const was = old.dqn[key] ?? DQN_DEFAULTS[key];
      const now = opts.dqn?.[key] ?? DQN_DEFAULTS[key];
      if (was !== now) throw new ConfigError(`${opts.outDir} was trained with ${key} = ${was}, not ${now}: resume with the same setting (--${key === 'replay' ? 'replay' : 'lr-decay'} ${was}) or use another --out`);
    }
    // a curve whose points average different numbers of episodes would pick its best unfairly
    const wasEpisodes = old.validationEpisodes ?? 1;
    if (wasEpisodes !== validateEpisodes) throw new ConfigError(`${opts.outDir} was validated over ${wasEpisodes} episode(s) per point, not ${validateEpisodes}: resume with --validate-episodes ${wasEpisodes} or use another --out`);
    record = { ...old, episodes: opts.episodes };
  } else if (!opts.resume && hasPolicy) {
    throw new ConfigError(`${opts.outDir} already holds a policy: pass --resume to continue it, or another --out`);
  }
  const statePath = join(opts.outDir, TRAINING_STATE_FILE);
  const resumed = record.history.length > 0 && existsSync(statePath) ? decodeTrainingState(readFileSync(statePath), statePath) : null;
  // the checked training.json names the protocol: a state file written before a rename (scripts/rename-protocol.ts) keeps the old name
  if (resumed) record = { ...(resumed.meta.record as TrainingRecord), protocol: record.protocol, protocolHash: record.protocolHash, episodes: opts.episodes };
  if (record.history.length > 0 && record.history.length < opts.episodes) record.resumes = [...(record.resumes ?? []), { afterEpisodes: record.history.length, exact: resumed !== null }];
  const init = await initialModel(protocol, protocolData(protocol, opts.env?.dataRoot), opts.seed, opts.cacheDir ?? null, 'policy');
  const env = makeEnv(protocol, { ...opts.env, phase: 'policy', seed: opts.seed, initialModel: init, learnerCacheDir: opts.cacheDir });
  const rng = new Rng(opts.seed);
  let [obs, info] = await env.reset({ seed: opts.seed });
  const agent = resumed ? DqnAgent.fromTrainingState(resumed.state) : record.history.length > 0 ? await DqnAgent.load(policyDir, rng.fork('agent')) : new DqnAgent(DqnAgent.shapeOf(obs), rng.fork('agent'), opts.dqn);
  agent.training = true;
  const actRng = rng.fork('act');
  if (resumed) actRng.setState(resumed.meta.actRng as RngState);
  const save = () => writeTrainingRecord(opts.outDir, record);
  if (validateEpisodes > 1) record.validationEpisodes = validateEpisodes;
  const seeds = validationSeeds(opts.seed, validateEpisodes);
  const every = opts.validateEvery ?? 5;
  try {
    if (every > 0 && record.references === undefined) {
      record.references = [];
      for (const make of REFERENCE_AGENTS) {
        const a = make();
        record.references.push({ agent: a.name, ...(await validateOver(env, a, seeds)) });
      }
      save();
    }
    const t0 = performance.now();
    // a resumed run estimates time left from the checkpointed episodes too
    const episodeMs: number[] = record.history.map((h) => h.ms);
    for (let episode = record.history.length; episode < opts.episodes; episode++) {
      const te = performance.now();
      // every episode has its own seed, so a resumed run replays the same episodes
      [obs, info] = await env.reset({ seed: (opts.seed + 1000003 * (episode + 1)) >>> 0 });
      agent.beginEpisode();
      let ret = 0;
      let steps = 0;
      let lossSum = 0;
      let lossCount = 0;
      for (let done = false; !done; ) {
        const action = await agent.act(obs, info, actRng);
        const [nextObs, reward, terminated, truncated, nextInfo] = await env.step(action);
        const updatesBefore = agent.stats.updates;
        await agent.observe({ action, reward, nextObs, nextInfo, terminated, truncated });
        if (agent.stats.updates > updatesBefore && agent.stats.lastLoss !== null) {
          lossSum += agent.stats.lastLoss;
          lossCount += 1;
        }
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
      record.history.push({ episode: episode + 1, return: ret, finalRewardMIoU: info.rewardMIoU, steps, ms: performance.now() - te, meanLoss: lossCount ? lossSum / lossCount : null });
      await agent.save(policyDir);
      if (every > 0 && (episode + 1) % every === 0) {
        const tv = performance.now();
        const v = await validateGreedy(env, agent, seeds);
        const point: ValidationPoint = { episode: episode + 1, rewardMIoU: v.rewardMIoU, return: v.return, ms: performance.now() - tv, ...(v.perEpisode ? { perEpisode: v.perEpisode } : {}) };
        record.validation.push(point);
        if (!record.best || point.rewardMIoU > record.best.rewardMIoU) {
          await agent.save(join(opts.outDir, 'best'));
          record.best = point;
        }
      }
      // the training state last: it alone decides where a resumed run starts, and it holds this record
      writeFileAtomic(statePath, encodeTrainingState(agent.trainingState(), { record, actRng: actRng.getState() }));
      save();
    }
    return record;
  } finally {
    progress?.complete();
    agent.dispose();
    env.close();
    init?.dispose();
  }
}
