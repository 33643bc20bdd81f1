/**
 * Issue 37's "fixed reduction computed once per encoder, if it keeps the upper bound", measured: the
 * 656-channel hypercolumn projected on its top K principal components (fitted on D_T's cells: features
 * only, no labels), then camvid-ralis-dt's start model (trained on D_T under the protocol's rule) and its
 * protocol-rule bound (that start final-trained on every region of D_V), as `train-supervised --protocol
 * camvid-ralis-dt --protocol-rule` makes them. K = 656 runs the unreduced store: the published bound's
 * numbers, timed beside the reduced ones.
 *
 *   node --import tsx results/camvid-ralis-dt/reduction.ts K[,K…] SEED >> results/camvid-ralis-dt/reduction.jsonl
 *
 * The reduced store replaces the unreduced one in this process only, and reduced start models are
 * cached under a separate directory (CACHE/reduction-K), so nothing the benchmark reads is touched.
 * Prints one JSON line per K. Needs the CamVid folder (REGIONGYM_CAMVID).
 */
import * as tf from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { join } from 'node:path';
import { initCompute } from '../../benchmarks/cli/compute-flags.ts';
import { resolveProtocol } from '../../env/make-env.ts';
import { prepareProtocol } from '../../benchmarks/sweep/prepare.ts';
import { defaultCacheDir } from '../../env/cache-dir.ts';
import { getSplit, type SegSample } from '../../env/data/dataset.ts';
import { FeatureStore, registerFeatureStore, sharedFeatureStores, featureStore } from '../../env/learners/frozen-encoder/feature-store.ts';
import { allSamples } from '../../env/learners/frozen-encoder/factory.ts';
import { decodeHalf, encodeHalf } from '../../nn/float16.ts';
import { Rng } from '../../core/rng.ts';
import { initialModel } from '../../env/start-model.ts';
import { makeGrid } from '../../env/regions.ts';
import { LabelledSet } from '../../env/labelled-set.ts';
import { finalTrainAndTest, finalTrainingSetup } from '../../env/final-training.ts';
import { segMetrics } from '../../env/metrics.ts';
import { confusionOf } from '../../env/learners/evaluate.ts';

const ks = (process.argv[2] ?? '128').split(',').map(Number);
const seed = Number(process.argv[3] ?? 20);
await initCompute({ backend: 'wasm', inference: 'ort', training: 'ort', threads: 1 } as never);
const p = resolveProtocol('camvid-ralis-dt');
const cacheDir = defaultCacheDir();
const ds = await prepareProtocol(p, { cacheDir, threads: 1 });
const key = sharedFeatureStores()[0]!.key;
const full = featureStore(key)!;
const { gridH, gridW, channels: F } = full.dims;
const cells = gridH * gridW;
const pct = (v: number) => +(100 * v).toFixed(2);

/** Mean and principal axes (columns, by falling variance, each signed so its largest entry is positive) of the cells of `fit`. */
function principalAxes(fit: readonly SegSample[]): { mean: Float64Array; axes: Matrix; variances: number[] } {
  const sum = new Float64Array(F);
  const gram = new Float64Array(F * F);
  for (const s of fit) {
    const x = decodeHalf(full.view(s));
    for (let i = 0; i < cells; i++) for (let c = 0; c < F; c++) sum[c] += x[i * F + c]!;
    // one image's Gram matrix in float32 (wasm), summed over images in float64
    const g = tf.tidy(() => { const t = tf.tensor2d(x, [cells, F]); return tf.matMul(t, t, true, false); });
    const gv = g.dataSync();
    for (let j = 0; j < F * F; j++) gram[j] += gv[j]!;
    g.dispose();
  }
  const n = fit.length * cells;
  const mean = Float64Array.from(sum, (v) => v / n);
  const cov = new Matrix(F, F);
  for (let a = 0; a < F; a++) for (let b = 0; b < F; b++) cov.set(a, b, gram[a * F + b]! / n - mean[a]! * mean[b]!);
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, i) => [v, i] as const).sort((u, w) => w[0] - u[0]).map(([, i]) => i);
  const V = evd.eigenvectorMatrix;
  const axes = new Matrix(F, F);
  order.forEach((col, k) => {
    let big = 0;
    for (let c = 0; c < F; c++) if (Math.abs(V.get(c, col)) > Math.abs(big)) big = V.get(c, col);
    for (let c = 0; c < F; c++) axes.set(c, k, Math.sign(big) * V.get(c, col));
  });
  return { mean, axes, variances: order.map((i) => Math.max(evd.realEigenvalues[i]!, 0)) };
}

/** A store of every image's cells projected on the first k axes (float16, as the unreduced store). */
function reducedStore(k: number, mean: Float64Array, axes: Matrix): FeatureStore {
  const store = FeatureStore.create(key, { gridH, gridW, channels: k }, allSamples(ds));
  const w = tf.tensor2d(Float32Array.from({ length: F * k }, (_, j) => axes.get(Math.floor(j / k), j % k)), [F, k]);
  const m = tf.tensor1d(Float32Array.from(mean));
  for (const s of allSamples(ds)) {
    const slot = store.slot(s);
    if (store.isFilled(slot)) continue;
    const y = tf.tidy(() => tf.matMul(tf.sub(tf.tensor2d(decodeHalf(full.view(s)), [cells, F]), m), w));
    encodeHalf(y.dataSync(), store.slotView(slot));
    store.markFilled(slot);
    y.dispose();
  }
  tf.dispose([w, m]);
  return store;
}

const t0 = performance.now();
const fit = getSplit(ds, p.initialModel.evaluation as 'd_t');
const pca = ks.some((k) => k < F) ? principalAxes(fit) : null;
const fitS = (performance.now() - t0) / 1000;
const pool = getSplit(ds, p.splits.evalPool);
const grid = makeGrid(ds.height, ds.width, p.regions.height, p.regions.width);
const everyRegion = new LabelledSet(grid, pool, Array.from({ length: pool.length * grid.perImage }, (_, id) => id), ds.numClasses, ds.ignoreIndex);
for (const k of ks) {
  if (!Number.isInteger(k) || k < 1 || k > F) throw new Error(`K must be a whole number in 1…${F}, got ${k}`);
  const total = pca ? pca.variances.reduce((a, b) => a + b, 0) : 1;
  const kept = pca && k < F ? pca.variances.slice(0, k).reduce((a, b) => a + b, 0) / total : 1;
  registerFeatureStore(k < F ? reducedStore(k, pca!.mean, pca!.axes) : full);
  const startT0 = performance.now();
  const start = (await initialModel(p, ds, seed, k < F ? join(cacheDir, `reduction-${k}`) : cacheDir, 'eval'))!;
  const startS = (performance.now() - startT0) / 1000;
  const startTest = segMetrics(await confusionOf(start, getSplit(ds, p.splits.test), p.inferenceBatch)).mIoU;
  // the same random stream as train-supervised --protocol-rule
  const r = await finalTrainAndTest(start, everyRegion, finalTrainingSetup(p, ds), new Rng(seed).fork('final/all'));
  start.dispose();
  console.log(JSON.stringify({ protocol: p.name, seed, channels: k, varianceKept: +kept.toFixed(4), fitS: +fitS.toFixed(1), start: { test: pct(startTest), s: +startS.toFixed(1) }, bound: { test: pct(r.test.mIoU), bestVal: pct(r.bestValMIoU), bestEpoch: r.bestEpoch, epochs: r.epochsRun, trainS: +(r.finalTrainMs / 1000).toFixed(1), sPerEpoch: +(r.finalTrainMs / 1000 / r.epochsRun).toFixed(2) } }));
}
process.exit(0);
