/**
 * `npm run bench`: per-stage timings of one RALIS step on a fixed workload (benchmarks/perf-workload.ts):
 * UNet-S at CamVid 0.4 by default (random data, or `--data camvid`), or a protocol's own learner and
 * data with `--protocol camvid-ralis-cold-linear` (the frozen encoder at full resolution). Stages: the observation
 * (state and candidate features), the DQN query, one training step on 24 new regions, the reward on
 * 101 images, one DQN update; also BALD scoring (T = 20) of the candidate images and an entropy-baseline
 * step. Timings live here, never in tests.
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { addComputeOptions, initCompute, type ComputeOptions } from '../cli/compute-flags.ts';
import { Rng } from '../../core/rng.ts';
import { confusionOf } from '../../env/learners/evaluate.ts';
import { regionScore } from '../../env/scores/registry.ts';
import { LabeledRegions, regionCentre } from '../../env/regions.ts';
import { sampleCandidateRegions, arrangePools } from '../../env/candidates.ts';
import { disposeOutputs, poolFeatures, regionOutputs, stateFeatures } from '../../env/observation.ts';
import { inferenceThreads } from '../../compute/inference.ts';
import { segMetrics } from '../../env/metrics.ts';
import { DqnAgent } from '../../agents/dqn/dqn-agent.ts';
import { dqnUpdate } from '../../agents/dqn/dqn-update.ts';
import { Sgd } from '../../nn/sgd.ts';
import { DQN_DEFAULTS } from '../../agents/dqn/config.ts';
import { defaultCacheDir } from '../../env/cache-dir.ts';
import { choiceOption, intOption } from '../cli/options.ts';
import { median } from '../leaderboard/stats.ts';
import { protocolWorkload, unetWorkload } from './workload.ts';

interface StageStats {
  medianMs: number;
  minMs: number;
  maxMs: number;
  gflop: number;
  gflopPerSec: number;
  /** Input bytes the stage reads (cached features or the DQN's transitions), MB; 0 when not counted. */
  mbRead: number;
  gbPerSec: number;
}

function summarise(times: number[], gflop: number, mbRead = 0): StageStats {
  const s = [...times].sort((a, b) => a - b);
  const med = median(s);
  return { medianMs: med, minMs: s[0]!, maxMs: s[s.length - 1]!, gflop, gflopPerSec: gflop > 0 ? gflop / (med / 1000) : 0, mbRead, gbPerSec: mbRead > 0 ? mbRead / med : 0 };
}

/**
 * Arithmetic of one DQN update (dqn-update.ts): forward and backward (≈ 3 forwards) of the batch, and
 * two forwards (policy and target net) of the next states; a forward is its linear layers (2 FLOP a weight).
 */
function dqnUpdateGflop(B: number, N: number, R: number, F: number, D: number): number {
  const fa = D - 64;
  const forward = 2 * (B * R * (F * 256 + 256 * 128 + 128) + B * R * 128 + B * N * (fa * 512 + 512 * 256 + 256 * 128 + 64 + 256));
  return (5 * forward) / 1e9;
}

async function main(): Promise<void> {
  const program = addComputeOptions(new Command('bench'), 'wasm')
    .option('--steps <n>', 'timed steps after one warm-up', intOption('--steps', 1), 5)
    .option('--data <kind>', 'random|camvid', choiceOption('--data', ['random', 'camvid'] as const), 'random')
    .option('--protocol <name|file>', "time a protocol's own learner, data and geometry (e.g. camvid-ralis-cold-linear) instead of the UNet-S workload")
    .option('--root <dir>', 'data folder of a real data set (with --protocol)')
    .option('--cache-dir <dir>', 'learner cache: encoder features (with --protocol)', defaultCacheDir())
    .option('--json', 'print the figures as JSON', false)
    .parse(process.argv);
  const o = program.opts<ComputeOptions & { steps: number; data: 'random' | 'camvid'; protocol?: string; root?: string; cacheDir: string; json: boolean }>();
  // tfjs-wasm runs one thread per Node process (tfjs #3830); --threads sets the native inference engine's
  const { backend, inference } = await initCompute(o);
  const threads = inference === 'ort' ? inferenceThreads() : 1;

  const rng = new Rng(2024);
  const w = o.protocol ? await protocolWorkload(o.protocol, rng, { root: o.root, cacheDir: o.cacheDir, threads: o.threads }) : await unetWorkload(o.data, rng);
  const { learner: model, pool, state, reward, grid, K, N } = w;
  const C = model.numClasses;
  const labeled = new LabeledRegions(grid, pool.length);
  const labeledDist: number[] = [];
  // 480 labelled regions fill the first 20 pool images (4×6 grid), so the image-first candidate
  // sampling draws its K·N regions from the others: ~11 images at N = 10, ~21 at N = 20
  const nLabeled = Math.min(480, Math.floor((pool.length * grid.perImage) / 2));
  for (let id = 0; id < nLabeled; id++) {
    labeled.add(id);
    const d = Array.from({ length: C + 1 }, () => rng.uniform(0.01, 1));
    labeledDist.push(...d.map((v) => v / d.reduce((a, b) => a + b)));
  }
  const distT = tf.tensor2d(labeledDist, [nLabeled, C + 1]);
  const fwd = w.forwardGflop;
  const trainFlops = w.trainGflop;
  // the DQN and its transitions take the observation's shapes, known after the first (warm-up) step
  let dqn: { agent: DqnAgent; opt: Sgd; transitions: Parameters<typeof dqnUpdate>[3] } | null = null;
  const makeDqn = (obs: { state: tf.Tensor; pools: tf.Tensor }) => {
    const agent = new DqnAgent(DqnAgent.shapeOf({ ...obs, actionMask: new Uint8Array(K * N).fill(1) } as never), rng.fork('dqn'));
    const [S, Fs] = obs.state.shape as [number, number];
    const Fp = obs.pools.shape[2]!;
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next());
    const transitions = Array.from({ length: 16 }, () => ({ pool: rand(N * Fp), state: rand(S * Fs), action: rng.int(N), reward: rng.normal(), next: { pool: rand(N * Fp), mask: new Uint8Array(N).fill(1), state: rand(S * Fs) } }));
    return { agent, opt: new Sgd(agent.policy.trainableVariables(), { lr: 1e-3, momentum: 0.95, weightDecay: 1e-3, clipNorm: Infinity }), transitions };
  };
  const newCrops = () => Array.from({ length: 24 }, (_, i) => ({ sample: pool[(nLabeled / grid.perImage + i) % pool.length]!, label: pool[(nLabeled / grid.perImage + i) % pool.length]!.label, anchor: regionCentre(grid, i % grid.perImage) }));

  const times: Record<string, number[]> = { features: [], query: [], train: [], reward: [], dqn: [], total: [], bald: [], entropyStep: [], fullSupervision: [] };
  // full supervision: whole labelled images, as the upper bound and the start model train
  const wholeImages = pool.slice(0, 16).map((s) => ({ sample: s, label: s.label }));
  let candImages = 0;
  let dqnShape: [number, number, number] | null = null;
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
      const { pools } = await poolFeatures({ learner: model, poolImages: pool, K, N, grid, labeledDist: distT, batch: 8, wanted: [regionScore('entropy')], mc: null }, slots);
      return { pools, state: await stateFeatures(model, state, grid, 8), actionMask: new Uint8Array(K * N).fill(1) };
    });
    dqn ??= makeDqn(obs);
    dqnShape ??= [obs.state.shape[0]!, obs.state.shape[1]!, obs.pools.shape[2]!];
    await time('query', () => dqn!.agent.qValues(obs as never));
    tf.dispose([obs.pools, obs.state]);
    await time('train', async () => {
      await model.trainEpoch(newCrops(), rng);
    });
    await time('reward', async () => segMetrics(await confusionOf(model, reward, 8)).mIoU);
    await time('dqn', () => dqnUpdate(dqn!.agent.policy, dqn!.agent.target, dqn!.opt, dqn!.transitions, new Float32Array(16).fill(1), DQN_DEFAULTS));
    if (record) times.total!.push(performance.now() - tStep);
    // BALD scoring of the candidate images (T = 20)
    // (the first 11 candidate images: the target's definition, whatever N the workload has)
    const candSamples = [...new Set(Array.from(slots).filter((s) => s >= 0).map((s) => Math.floor(s / grid.perImage)))].slice(0, 11).map((i) => pool[i]!);
    await time('bald', async () => {
      const out = await regionOutputs(model, candSamples, grid, 8, [regionScore('bald')], { passes: 20, rng });
      out.stats.get('bald')!.dataSync();
      disposeOutputs(out);
    });
    // entropy-baseline step: candidate entropies, train, reward
    await time('entropyStep', async () => {
      const s = await regionOutputs(model, candSamples, grid, 8, [regionScore('entropy')], null);
      s.stats.get('entropy')!.dataSync();
      disposeOutputs(s);
      await model.trainEpoch(newCrops(), rng);
      segMetrics(await confusionOf(model, reward, 8));
    });
    await time('fullSupervision', () => model.trainEpoch(wholeImages, rng));
  }
  // one epoch of the protocol's final training, on a copy (after one warm-up epoch)
  const finalEpochMs: number[] = [];
  if (w.finalEpoch) {
    const copy = model.clone(w.finalEpoch.settings);
    try {
      for (let r = 0; r <= Math.min(o.steps, 3); r++) {
        const t0 = performance.now();
        await copy.trainEpoch(w.finalEpoch.items, rng);
        if (r > 0) finalEpochMs.push(performance.now() - t0);
      }
    } finally {
      copy.dispose();
    }
  }
  // bytes read per image: the float16 hypercolumn of a frozen encoder (UNet-S reads pixels: not counted)
  const f = (w.describe as { features?: { dim: number; grid: readonly [number, number] } }).features;
  const mbPerImage = f ? (f.dim * f.grid[0] * f.grid[1] * 2) / 1e6 : 0;
  const [S, Fs] = dqnShape ?? [0, 0];
  const Dp = dqnShape?.[2] ?? 0;
  const stages = {
    features: summarise(times.features!, (state.length + candImages) * fwd, (state.length + candImages) * mbPerImage),
    query: summarise(times.query!, 0),
    train: summarise(times.train!, trainFlops),
    reward: summarise(times.reward!, reward.length * fwd, reward.length * mbPerImage),
    dqn: summarise(times.dqn!, dqnUpdateGflop(16, N, S, Fs, Dp), (16 * 2 * (S * Fs + N * Dp) * 4) / 1e6),
  };
  const scored = Math.min(11, candImages);
  const extra = { bald: summarise(times.bald!, scored * fwd), entropyStep: summarise(times.entropyStep!, (scored + reward.length) * fwd + trainFlops), fullSupervision: summarise(times.fullSupervision!, 3 * wholeImages.length * fwd) };
  const fullSupervisionImagesPerSec = (1000 * wholeImages.length) / extra.fullSupervision.medianMs;
  const total = summarise(times.total!, stages.features.gflop + stages.train.gflop + stages.reward.gflop + stages.dqn.gflop, stages.features.mbRead + stages.reward.mbRead + stages.dqn.mbRead);
  const finalEpoch = w.finalEpoch && finalEpochMs.length ? { items: w.finalEpoch.describe, ...summarise(finalEpochMs, 0) } : undefined;
  const result = { backend, inference, training: model.trainingEngine, threads, workload: w.describe, data: o.protocol ? o.protocol : o.data, steps: o.steps, candidateImages: candImages, stages, totalMs: total.medianMs, total, extra, fullSupervisionImagesPerSec, ...(finalEpoch ? { finalEpoch } : {}) };
  if (o.json) {
    console.log(JSON.stringify(result, null, 1));
  } else {
    console.log(`RALIS step on ${backend}, inference ${inference}${inference === 'ort' ? ` (${threads} threads)` : ''}, training ${model.trainingEngine}: ${w.describe.name} (${w.describe.image.join('×')}, K = ${K}, N = ${N}${w.describe.features ? `, features ${w.describe.features.dim} × ${w.describe.features.grid.join('×')}, head hidden ${w.describe.head?.hidden ?? 0}` : ''}; ${o.steps} timed steps after 1 warm-up; ${candImages} candidate images)`);
    console.log('stage          median ms     min ms     max ms    GFLOP   GFLOP/s   MB read    GB/s');
    const row = (name: string, s: StageStats) => console.log(`${name.padEnd(14)}${s.medianMs.toFixed(0).padStart(10)}${s.minMs.toFixed(0).padStart(11)}${s.maxMs.toFixed(0).padStart(11)}${s.gflop.toFixed(1).padStart(9)}${(s.gflop ? s.gflopPerSec.toFixed(1) : '–').padStart(10)}${(s.mbRead ? s.mbRead.toFixed(0) : '–').padStart(10)}${(s.mbRead ? s.gbPerSec.toFixed(1) : '–').padStart(8)}`);
    for (const [k, s] of Object.entries(stages)) row(k, s);
    row('total', total);
    row(`bald (T=20, ${scored} img)`, extra.bald);
    row('entropy step', extra.entropyStep);
    row(`full sup. (${wholeImages.length} img)`, extra.fullSupervision);
    if (finalEpoch) row('final epoch', finalEpoch);
    console.log(`full supervision: ${fullSupervisionImagesPerSec.toFixed(1)} images/s`);
    if (finalEpoch) console.log(`final epoch: one epoch of the protocol's final training on ${finalEpoch.items}`);
  }
  distT.dispose();
  model.dispose();
  dqn?.agent.dispose();
  dqn?.opt.dispose();
}

await main();
