/**
 * regiongym's library surface: `import { makeEnv, ActiveSegEnv } from 'regiongym'`.
 */
export { Rng } from './core/rng.ts';
export * from './core/errors.ts';
export { initBackend, BACKEND_NAMES, type BackendName } from './compute/tfjs/backend.ts';
export { initInference, inferenceInUse, INFERENCE_NAMES, type InferenceName } from './compute/inference.ts';
export { initTraining, trainingInUse, TRAINING_NAMES, type TrainingName } from './compute/training.ts';
export type { SegDataset, SegSample, SplitName } from './env/data/dataset.ts';
export { makeSyntheticDataset } from './env/data/synthetic.ts';
export { loadCamVid } from './env/data/camvid.ts';
export { loadCityscapes } from './env/data/cityscapes.ts';
export type { SegLearner, LearnerSpec, McMoments, Embeddings, TrainItem } from './env/learners/learner.ts';
export { registerLearner, learnerNames, createLearner, loadLearner, type LearnerFactory, type LearnerContext } from './env/learners/registry.ts';
export { UNetLearner } from './env/learners/unet/learner.ts';
export { registerScore, scoreNames } from './env/scores/registry.ts';
export type { RegionScore } from './env/scores/score.ts';
import { registerScore, scoreNames } from './env/scores/registry.ts';
import type { RegionScore } from './env/scores/score.ts';
/** @deprecated since 0.3: per-region scores are `RegionScore`s (env/scores); "statistic" now means only the leaderboard's. */
export type Statistic = RegionScore;
/** @deprecated since 0.3: use registerScore. */
export const registerStatistic = (s: RegionScore): void => {
  process.emitWarning('registerStatistic is deprecated: use registerScore (the same entry)', 'DeprecationWarning');
  registerScore(s);
};
/** @deprecated since 0.3: use scoreNames. */
export const statisticNames = (): string[] => scoreNames();
export * from './env/metrics.ts';
export { ActiveSegEnv } from './env/active-seg-env.ts';
export type { ActiveSegObs, ActiveSegInfo, ActiveSegEvent, CandidateStats } from './env/active-seg-types.ts';
export type { ActiveSegConfig, ActiveSegOptions } from './env/active-seg-config.ts';
export type { Env, EnvSpec, ResetOptions, StepResult } from './env/core/env.ts';
export { Box, MultiDiscrete, MultiBinary, DictSpace, type Space } from './env/core/spaces.ts';
export { checkEnv, GYMNASIUM_CHECKS, type CheckResult, type EnvCheck } from './env/core/check-env.ts';
export { REGION_AL_CHECKS } from './env/core/region-al-checks.ts';
export { makeEnv, ENV_REGISTRY, type MakeEnvOptions } from './env/make-env.ts';
export { loadProtocol, parseProtocol, type Protocol } from './env/protocol/load.ts';
export type { Agent, Transition } from './agents/agent.ts';
import './agents/catalog.ts';
export { registerAgent, parseAgentList, makeAgent, agentEntries, type AgentEntry, type AgentSpec } from './agents/registry.ts';
export { RandomAgent } from './baselines/random.ts';
export { EntropyAgent } from './baselines/entropy.ts';
export { BaldAgent } from './baselines/bald.ts';
export { ScoreAgent } from './baselines/score-agent.ts';
export { DqnAgent } from './agents/dqn/dqn-agent.ts';
export { DQN_DEFAULTS, type DqnConfig } from './agents/dqn/config.ts';
