/**
 * One (agent, seed) labelling trajectory over all budgets of a protocol. The budgets share it: label up
 * to the smallest budget, run final training and the test on a copy of the model, continue labelling to
 * the next budget. The copy's training draws from its own stream, so the numbers equal those of
 * separate runs per budget (a test checks this).
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../core/rng.ts';
import { learnerSpecOf } from '../../../env/learners/registry.ts';
import { classBalanceEntropy } from '../../../env/metrics.ts';
import type { ActiveSegEnv } from '../../../env/active-seg-env.ts';
import type { Agent } from '../../../agents/agent.ts';
import { makeAgent, type AgentSpec } from '../../../agents/registry.ts';
import { ActiveSegEnv as Env } from '../../../env/active-seg-env.ts';
import { envOptions, protocolData } from '../../../env/make-env.ts';
import type { Protocol } from '../../../env/protocol/load.ts';
import { protocolFieldHashes, protocolHash } from '../../../env/protocol/hash.ts';
import { trajectoryId } from '../identity.ts';
import { initialModel } from '../../../env/start-model.ts';
import { LabelledSet } from '../../../env/labelled-set.ts';
import { finalTrainAndTest, finalTrainingSetup } from '../../../env/final-training.ts';
import type { RunRecord } from '../run-record.ts';
import { checkReplayedStep, readActionLog, writeActionLog, type LogProvenance, type LoggedStep } from './action-log.ts';
import { machineFingerprint } from '../../../compute/machine.ts';
import { StopRequestedError } from '../../../core/errors.ts';

const require = createRequire(import.meta.url);
const VERSIONS = { regiongym: (require('../../../package.json') as { version: string }).version, tfjs: tf.version_core, node: process.version };

export interface TrajectoryProgress {
  agent: string;
  seed: number;
  usedRegions: number;
  maxBudget: number;
  /** Steps taken so far from the action log rather than from the agent. */
  replayedSteps: number;
}

export interface TrajectoryOptions {
  protocol: Protocol;
  agent: AgentSpec;
  seed: number;
  budgets: number[];
  backend: string;
  /** Inference engine of the forward-only passes, recorded with each run. */
  inference: 'tfjs' | 'ort';
  /** Engine of the SGD gradients, recorded with each run. */
  training: 'tfjs' | 'ort';
  dataRoot?: string;
  cacheDir: string | null;
  /** Budgets already done (their runs are skipped but the labelling still passes through them). */
  skip?: ReadonlySet<number>;
  /** This trajectory's action log (action-log.ts): its steps are replayed, new ones appended; null: none kept. */
  actionLog?: string | null;
  onRecord: (r: RunRecord) => void;
  onProgress?: (p: TrajectoryProgress) => void;
  /**
   * Asked before each labelling step and each training epoch; true: stop there with StopRequestedError
   * (the action log keeps every step taken). A worker is stopped this way, never mid native call:
   * terminating a thread inside onnxruntime aborts the whole process.
   */
  stopRequested?: () => boolean;
}

export async function runTrajectory(o: TrajectoryOptions): Promise<void> {
  const p = o.protocol;
  const data = protocolData(p, o.dataRoot);
  const agent: Agent = await makeAgent(o.agent);
  const init = await initialModel(p, data, o.seed, o.cacheDir, 'eval', o.stopRequested);
  const budgets = [...o.budgets].sort((a, b) => a - b);
  const maxBudget = budgets[budgets.length - 1]!;
  const env: ActiveSegEnv = new Env({ ...envOptions(p, data, { phase: 'eval', budgetRegions: maxBudget, seed: o.seed, initialModel: init, statistics: agent.needs ?? [], learnerCacheDir: o.cacheDir }), labelUnit: agent.labelUnit ?? 'region' }, { id: `${p.name}-eval` });
  agent.attach?.(env);
  const hash = protocolHash(p);
  const fields = protocolFieldHashes(p);
  const model = { ...learnerSpecOf(p.model) };
  const actRng = new Rng(o.seed).fork(`act/${o.agent.label}`);
  const setup = finalTrainingSetup(p, data);
  const logKey = { trajectory: trajectoryId(hash, o.agent.id, o.seed), protocolHash: hash, agentId: o.agent.id, seed: o.seed };
  // steps replayed to the bit under this provenance are this provenance's too: a grown log records it
  const provenance: LogProvenance = { backend: o.backend, inference: o.inference, training: o.training, machine: machineFingerprint() };
  try {
    const logged = o.actionLog ? readActionLog(o.actionLog, logKey) : null;
    const logSteps: LoggedStep[] = [...(logged?.steps ?? [])];
    let [obs, info] = await env.reset({ seed: o.seed });
    let labelMs = 0;
    let steps = 0;
    let done = false;
    for (const budget of budgets) {
      while (!done && info.usedRegions < budget) {
        if (o.stopRequested?.()) throw new StopRequestedError(`stopped after ${steps} labelling steps (${info.usedRegions} regions)`);
        const t0 = performance.now();
        const replay = logSteps[steps];
        // past the log the agent picks again, from the action stream as the log left it
        if (!replay && logged && steps === logged.steps.length) actRng.setState(logged.actRng);
        const action = replay ? Int32Array.from(replay.action) : await agent.act(obs, info, actRng);
        const out = await env.step(action);
        [obs, , , , info] = out;
        done = out[2] || out[3];
        if (replay) {
          checkReplayedStep(o.actionLog!, steps, replay, out[1], info.usedRegions, logged?.written, provenance);
          labelMs += replay.ms;
        } else {
          const ms = performance.now() - t0;
          labelMs += ms;
          logSteps.push({ action: [...action], reward: out[1], usedRegions: info.usedRegions, ms });
          if (o.actionLog) writeActionLog(o.actionLog, { schema: 1, ...logKey, steps: logSteps, actRng: actRng.getState(), written: provenance });
        }
        steps++;
        o.onProgress?.({ agent: o.agent.label, seed: o.seed, usedRegions: info.usedRegions, maxBudget, replayedSteps: Math.min(steps, logged?.steps.length ?? 0) });
      }
      if (o.skip?.has(budget)) continue;
      // labelled exactly up to this budget: the env labels whole steps, so keep the first `budget` ids
      const ids = Array.from(info.labeledRegionIds.slice(0, budget));
      const set = new LabelledSet(env.grid, env.pool, ids, data.numClasses, data.ignoreIndex);
      // the labelled model (the paper's code) or the episode's start: then only the labelled set matters
      const from = p.finalTraining.from === 'start-model' ? init! : env.model!;
      const final = await finalTrainAndTest(from, set, setup, new Rng(o.seed).fork(`final/${budget}`), o.stopRequested);
      const { test } = final;
      const hist = set.classHistogram();
      o.onRecord({
        schema: 2,
        protocol: p.name,
        protocolHash: hash,
        protocolFields: fields,
        model,
        dataset: { name: data.name, classNames: [...data.classNames] },
        agent: o.agent.label,
        agentId: o.agent.id,
        privileged: agent.privileged === true,
        baseline: agent.baseline === true,
        trajectory: logKey.trajectory,
        seed: o.seed,
        budgetRegions: budget,
        budgetPixels: budget * env.grid.regionH * env.grid.regionW,
        usedRegions: ids.length,
        labelingSteps: steps,
        testMIoU: test.mIoU,
        testPerClassIoU: test.perClassIoU.map((v) => (Number.isNaN(v) ? null : v)),
        testPixelAccuracy: test.pixelAccuracy,
        rewardMIoUAfterLabeling: info.rewardMIoU,
        rewardMIoUFinal: final.bestValMIoU,
        finalTrainingEpochs: final.epochsRun,
        labeledClassHistogram: hist,
        labeledClassBalanceEntropy: classBalanceEntropy(hist, data.numClasses),
        overlayRegions: set.regionsOfFirstImages(3),
        timings: { labelingMs: labelMs, finalTrainMs: final.finalTrainMs, testMs: final.testMs },
        backend: o.backend,
        inference: o.inference,
        training: env.model!.trainingEngine,
        versions: VERSIONS,
        finishedAt: new Date().toISOString(),
      });
    }
  } finally {
    env.close();
    agent.dispose?.();
    init?.dispose();
  }
}
