/**
 * One (agent, seed) labelling trajectory over all budgets of a protocol. The budgets share it: label up
 * to the smallest budget, run final training and the test on a copy of the model, continue labelling to
 * the next budget. The copy's training draws from its own stream, so the numbers equal those of
 * separate runs per budget (a test checks this).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../env/core/rng.ts';
import { getSplit } from '../../env/data/dataset.ts';
import { Segmenter } from '../../env/learners/unet/learner.ts';
import { classBalanceEntropy, segMetrics } from '../../env/metrics.ts';
import type { ActiveSegEnv } from '../../env/active-seg-env.ts';
import type { SegDataset } from '../../env/data/dataset.ts';
import type { Agent } from '../../agents/agent.ts';
import { makeAgent, type AgentSpec } from '../../agents/registry.ts';
import { ActiveSegEnv as Env } from '../../env/active-seg-env.ts';
import { envOptions, protocolData, segTrainConfig } from '../../env/make-env.ts';
import type { Protocol } from '../../env/protocol/load.ts';
import { finalTraining } from '../final-training.ts';
import { regionOrigin } from '../../env/regions.ts';
import { trainSupervisedOn } from '../pretrain.ts';
import { trainingInUse } from '../../compute/training.ts';
import type { RunRecord } from '../run-record.ts';

const require = createRequire(import.meta.url);
const VERSIONS = { regiongym: (require('../../package.json') as { version: string }).version, tfjs: tf.version_core, node: process.version };

export interface TrajectoryProgress {
  agent: string;
  seed: number;
  usedRegions: number;
  maxBudget: number;
}

/** The model evaluation episodes start from: fresh, or pre-trained on the fully labelled policy pool (cached on disk). */
export async function initialModel(p: Protocol, data: SegDataset, seed: number, cacheDir: string | null): Promise<Segmenter | undefined> {
  if (p.initialModel.evaluation === 'scratch') return undefined;
  // models pre-trained with native gradients differ at rounding level: cached apart
  const engine = trainingInUse() === 'tfjs' ? '' : `-${trainingInUse()}-training`;
  const dir = cacheDir ? join(cacheDir, `pretrained-${p.name}-${seed}${engine}`) : null;
  if (dir && existsSync(join(dir, 'model.json'))) return Segmenter.load(dir, segTrainConfig(p));
  const model = Segmenter.create(data.numClasses, data.height, data.width, new Rng(seed).fork('pretrain-init'), segTrainConfig(p));
  await trainSupervisedOn(model, getSplit(data, p.splits.policyPool), p.initialModel.pretrainEpochs, new Rng(seed).fork('pretrain'));
  if (dir) await model.save(dir);
  return model;
}

export interface TrajectoryOptions {
  protocol: Protocol;
  agent: AgentSpec;
  seed: number;
  budgets: number[];
  backend: string;
  /** Inference engine of the forward-only passes, recorded with each run. */
  inference: string;
  /** Engine of the SGD gradients, recorded with each run. */
  training: string;
  dataRoot?: string;
  cacheDir: string | null;
  /** Budgets already done (their runs are skipped but the labelling still passes through them). */
  skip?: ReadonlySet<number>;
  onRecord: (r: RunRecord) => void;
  onProgress?: (p: TrajectoryProgress) => void;
}

export async function runTrajectory(o: TrajectoryOptions): Promise<void> {
  const p = o.protocol;
  const data = protocolData(p, o.dataRoot);
  const agent: Agent = await makeAgent(o.agent);
  const init = await initialModel(p, data, o.seed, o.cacheDir);
  const budgets = [...o.budgets].sort((a, b) => a - b);
  const maxBudget = budgets[budgets.length - 1]!;
  const env: ActiveSegEnv = new Env(envOptions(p, data, { phase: 'eval', budgetRegions: maxBudget, seed: o.seed, initialModel: init, bald: agent.needs?.bald === true }), { id: `${p.name}-eval` });
  const actRng = new Rng(o.seed).fork(`act/${o.agent.label}`);
  const testSet = getSplit(data, p.splits.test);
  const rewardSet = getSplit(data, p.splits.reward);
  try {
    let [obs, info] = await env.reset({ seed: o.seed });
    let labelMs = 0;
    let done = false;
    for (const budget of budgets) {
      const t0 = performance.now();
      while (!done && info.usedRegions < budget) {
        const action = await agent.act(obs, info, actRng);
        const out = await env.step(action);
        [obs, , , , info] = out;
        done = out[2] || out[3];
        o.onProgress?.({ agent: o.agent.label, seed: o.seed, usedRegions: info.usedRegions, maxBudget });
      }
      labelMs += performance.now() - t0;
      if (o.skip?.has(budget)) continue;
      // labelled exactly up to this budget: the env labels whole steps, so keep the first `budget` ids
      const ids = Array.from(info.labeledRegionIds.slice(0, budget));
      const model = env.model!.clone();
      const tf0 = performance.now();
      const ft = await finalTraining(model, env.pool, ids, env.grid, data.ignoreIndex, rewardSet, { ...p.finalTraining, inferenceBatch: p.inferenceBatch }, new Rng(o.seed).fork(`final/${budget}`));
      const tt0 = performance.now();
      const test = segMetrics(await model.evaluate(testSet, p.inferenceBatch));
      const testMs = performance.now() - tt0;
      model.dispose();
      const hist = new Array<number>(data.numClasses + 1).fill(0);
      for (const id of ids) {
        const image = Math.floor(id / env.grid.perImage);
        const { y0, x0 } = regionOrigin(env.grid, id % env.grid.perImage);
        const label = env.pool[image]!.label;
        for (let y = y0; y < y0 + env.grid.regionH; y++) for (let x = x0; x < x0 + env.grid.regionW; x++) hist[Math.min(label[y * env.grid.imageW + x]!, data.numClasses)]! += 1;
      }
      o.onRecord({
        schema: 1,
        protocol: p.name,
        agent: o.agent.label,
        seed: o.seed,
        budgetRegions: budget,
        budgetPixels: budget * env.grid.regionH * env.grid.regionW,
        usedRegions: ids.length,
        testMIoU: test.mIoU,
        testPerClassIoU: test.perClassIoU.map((v) => (Number.isNaN(v) ? null : v)),
        testPixelAccuracy: test.pixelAccuracy,
        rewardMIoUAfterLabeling: info.rewardMIoU,
        rewardMIoUFinal: ft.bestRewardMIoU,
        finalTrainingEpochs: ft.epochsRun,
        labeledClassHistogram: hist,
        labeledClassBalanceEntropy: classBalanceEntropy(hist, data.numClasses),
        timings: { labelingMs: labelMs, finalTrainMs: tt0 - tf0, testMs },
        backend: o.backend,
        inference: o.inference,
        training: o.training,
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
