/**
 * `npm run bench`: per-stage timings of one RALIS step on a fixed workload (issue 6): CamVid geometry
 * at scale 0.4 (144×192, 4×6 regions of 36×32), UNet-S, state set 10 images, K = 24 pools × N = 10
 * candidates from ~11 images, 480 labelled regions, reward set 101 images, one SGD step on 24 crops of
 * 96×96, one DQN update on 16 transitions. Random data of those shapes (seeded), or real CamVid with
 * --data camvid. Also BALD scoring (T = 20) of the 11 candidate images and an entropy-baseline step.
 * Timings live here, never in tests.
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { addComputeOptions, initCompute, type ComputeOptions } from './compute.ts';
import { Rng } from '../env/core/rng.ts';
import { UNetLearner } from '../env/learners/unet/learner.ts';
import { confusionOf } from '../env/learners/evaluate.ts';
import { statistic } from '../env/statistics/registry.ts';
import { forwardFlops, UNET_S } from '../env/learners/unet/net.ts';
import { makeGrid } from '../env/regions.ts';
import { LabeledRegions, regionCentre } from '../env/regions.ts';
import { sampleCandidateRegions, arrangePools } from '../env/candidates.ts';
import { disposeOutputs, poolFeatures, regionOutputs, stateFeatures } from '../env/observation.ts';
import { inferenceThreads } from '../compute/inference.ts';
import { segMetrics } from '../env/metrics.ts';
import { DqnAgent } from '../agents/dqn/dqn-agent.ts';
import { dqnUpdate } from '../agents/dqn/dqn-update.ts';
import { Sgd } from '../nn/sgd.ts';
import { DQN_DEFAULTS } from '../agents/dqn/config.ts';
import type { SegSample } from '../env/data/dataset.ts';
import { loadCamVid } from '../env/data/camvid.ts';
import { choiceOption, intOption } from './cli-options.ts';
import { median } from './stats.ts';

const H = 144, W = 192, C = 11, K = 24, N = 10;

function randomSamples(n: number, rng: Rng, prefix: string): SegSample[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    image: Uint8Array.from({ length: H * W * 3 }, () => rng.int(256)),
    label: Uint8Array.from({ length: H * W }, () => rng.int(C + 1)),
  }));
}

interface StageStats {
  medianMs: number;
  minMs: number;
  maxMs: number;
  gflop: number;
  gflopPerSec: number;
}

function summarise(times: number[], gflop: number): StageStats {
  const s = [...times].sort((a, b) => a - b);
  const med = median(s);
  return { medianMs: med, minMs: s[0]!, maxMs: s[s.length - 1]!, gflop, gflopPerSec: gflop > 0 ? gflop / (med / 1000) : 0 };
}

async function main(): Promise<void> {
  const program = addComputeOptions(new Command('bench'), 'wasm')
    .option('--steps <n>', 'timed steps after one warm-up', intOption('--steps', 1), 5)
    .option('--data <kind>', 'random|camvid', choiceOption('--data', ['random', 'camvid'] as const), 'random')
    .option('--json', 'print the figures as JSON', false)
    .parse(process.argv);
  const o = program.opts<ComputeOptions & { steps: number; data: 'random' | 'camvid'; json: boolean }>();
  // tfjs-wasm runs one thread per Node process (tfjs #3830); --threads sets the native inference engine's
  const { backend, inference, training } = await initCompute(o);
  const threads = inference === 'ort' ? inferenceThreads() : 1;

  const rng = new Rng(2024);
  let pool: SegSample[], state: SegSample[], reward: SegSample[];
  if (o.data === 'camvid') {
    const ds = loadCamVid({ scale: 0.4, root: process.env.REGIONGYM_CAMVID ?? '../shared/datasets/camvid' });
    [pool, state, reward] = [ds.splits.d_v!.slice(0, 40), ds.splits.d_s!.slice(0, 10), ds.splits.val!.slice(0, 101)];
  } else {
    [pool, state, reward] = [randomSamples(40, rng, 'p'), randomSamples(10, rng, 's'), randomSamples(101, rng, 'r')];
  }
  const grid = makeGrid(H, W, 36, 32);
  const model = UNetLearner.create(C, H, W, rng.fork('init'), { optimizer: 'sgd', lr: 1e-3, momentum: 0.95, weightDecay: 1e-4, clipNorm: 4, batchSize: 24, cropHeight: 96, cropWidth: 96, flip: true });
  const labeled = new LabeledRegions(grid, pool.length);
  const labeledDist: number[] = [];
  // the 480 labelled regions fill the first 20 pool images, so the image-first candidate sampling
  // draws its K·N = 240 regions from the other 20 images' 24 each: 11 images, as the workload says
  // (480 regions spread over all 40 images left ~12 free per image and drew ~20 candidate images)
  for (let id = 0; id < 480; id++) {
    labeled.add(id);
    const d = Array.from({ length: C + 1 }, () => rng.uniform(0.01, 1));
    labeledDist.push(...d.map((v) => v / d.reduce((a, b) => a + b)));
  }
  const distT = tf.tensor2d(labeledDist, [480, C + 1]);
  const fwd = forwardFlops({ ...UNET_S, numClasses: C }, H, W) / 1e9;
  const trainFlops = (3 * 24 * forwardFlops({ ...UNET_S, numClasses: C }, 96, 96)) / 1e9; // backward ≈ 2× forward
  const [probeObs] = [{ state: tf.zeros([240, 204]), pools: tf.zeros([K, N, 268]), actionMask: new Uint8Array(K * N).fill(1) }];
  const agent = new DqnAgent(DqnAgent.shapeOf(probeObs as never), rng.fork('dqn'));
  tf.dispose([probeObs.state, probeObs.pools]);
  const dqnOpt = new Sgd(agent.policy.trainableVariables(), { lr: 1e-3, momentum: 0.95, weightDecay: 1e-3, clipNorm: Infinity });
  const transitions = Array.from({ length: 64 }, () => ({
    pool: Float32Array.from({ length: N * 268 }, () => rng.next()),
    state: Float32Array.from({ length: 240 * 204 }, () => rng.next()),
    action: rng.int(N),
    reward: rng.normal(),
    next: { pool: Float32Array.from({ length: N * 268 }, () => rng.next()), mask: new Uint8Array(N).fill(1), state: Float32Array.from({ length: 240 * 204 }, () => rng.next()) },
  }));

  const times: Record<string, number[]> = { features: [], query: [], train: [], reward: [], dqn: [], total: [], bald: [], entropyStep: [] };
  let candImages = 0;
  for (let step = 0; step <= o.steps; step++) {
    const record = step > 0;
    const time = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const out = await f();
      if (record) times[name]!.push(performance.now() - t0);
      return out;
    };
    const tStep = performance.now();
    const slots = arrangePools(sampleCandidateRegions(labeled, K * N, rng), K, N, rng);
    candImages = new Set(Array.from(slots).filter((s) => s >= 0).map((s) => Math.floor(s / grid.perImage))).size;
    const obs = await time('features', async () => {
      const { pools } = await poolFeatures(model, pool, slots, K, N, grid, distT, 8, [statistic('entropy')], null);
      return { pools, state: await stateFeatures(model, state, grid, 8), actionMask: new Uint8Array(K * N).fill(1) };
    });
    await time('query', () => agent.qValues(obs as never));
    tf.dispose([obs.pools, obs.state]);
    await time('train', async () => {
      const items = Array.from({ length: 24 }, (_, i) => ({ sample: pool[i % pool.length]!, label: pool[i % pool.length]!.label, anchor: regionCentre(grid, i % grid.perImage) }));
      await model.trainEpoch(items, rng);
    });
    await time('reward', async () => segMetrics(await confusionOf(model, reward, 8)).mIoU);
    await time('dqn', () => dqnUpdate(agent.policy, agent.target, dqnOpt, transitions.slice(0, 16), new Float32Array(16).fill(1), DQN_DEFAULTS));
    if (record) times.total!.push(performance.now() - tStep);
    // BALD scoring of the candidate images (T = 20)
    const candSamples = [...new Set(Array.from(slots).filter((s) => s >= 0).map((s) => Math.floor(s / grid.perImage)))].map((i) => pool[i]!);
    await time('bald', async () => {
      const out = await regionOutputs(model, candSamples, grid, 8, [statistic('bald')], { passes: 20, rng });
      out.stats.get('bald')!.dataSync();
      disposeOutputs(out);
    });
    // entropy-baseline step: candidate entropies, train, reward
    await time('entropyStep', async () => {
      const s = await regionOutputs(model, candSamples, grid, 8, [statistic('entropy')], null);
      s.stats.get('entropy')!.dataSync();
      disposeOutputs(s);
      const items = Array.from({ length: 24 }, (_, i) => ({ sample: pool[i % pool.length]!, label: pool[i % pool.length]!.label, anchor: regionCentre(grid, i % grid.perImage) }));
      await model.trainEpoch(items, rng);
      segMetrics(await confusionOf(model, reward, 8));
    });
  }
  const stages = {
    features: summarise(times.features!, (state.length + candImages) * fwd),
    query: summarise(times.query!, 0),
    train: summarise(times.train!, trainFlops),
    reward: summarise(times.reward!, reward.length * fwd),
    dqn: summarise(times.dqn!, 0),
  };
  const extra = { bald: summarise(times.bald!, candImages * fwd), entropyStep: summarise(times.entropyStep!, (candImages + reward.length) * fwd + trainFlops) };
  const total = summarise(times.total!, stages.features.gflop + stages.train.gflop + stages.reward.gflop);
  const result = { backend, inference, training, threads, data: o.data, steps: o.steps, candidateImages: candImages, stages, totalMs: total.medianMs, total, extra };
  if (o.json) {
    console.log(JSON.stringify(result, null, 1));
  } else {
    console.log(`RALIS step on ${backend}, inference ${inference}${inference === 'ort' ? ` (${threads} threads)` : ''}, training ${training} (${o.data} data, ${o.steps} timed steps after 1 warm-up; ${candImages} candidate images)`);
    console.log('stage          median ms     min ms     max ms    GFLOP   GFLOP/s');
    const row = (name: string, s: StageStats) => console.log(`${name.padEnd(14)}${s.medianMs.toFixed(0).padStart(10)}${s.minMs.toFixed(0).padStart(11)}${s.maxMs.toFixed(0).padStart(11)}${s.gflop.toFixed(1).padStart(9)}${(s.gflop ? s.gflopPerSec.toFixed(1) : '–').padStart(10)}`);
    for (const [k, s] of Object.entries(stages)) row(k, s);
    row('total', total);
    row('bald (T=20)', extra.bald);
    row('entropy step', extra.entropyStep);
  }
  distT.dispose();
  model.dispose();
  agent.dispose();
  dqnOpt.dispose();
}

await main();
