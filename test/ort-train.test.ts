/**
 * The native training step (onnx-train.ts + ort-gradients.ts) is a second, hand-written backward pass:
 * these tests keep its gradients equal to tfjs autodiff up to float rounding, its draws from the
 * Rng identical, and the opt-in honest (selection errors, no mixing engines in one runs file).
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.ts';
import { BackendError, ConfigError } from '../core/errors.ts';
import { UNetLearner } from '../env/learners/unet/learner.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { cropBatch, batchTensors } from '../env/learners/batches.ts';
import { dropoutMultiplier } from '../compute/ort/dropout-masks.ts';
import { maskedCrossEntropy } from '../env/learners/loss.ts';
import { forward, trainableVariables } from '../env/learners/unet/net.ts';
import { ortGradients } from '../env/learners/unet/ort-gradients.ts';
import { initTraining, trainingInUse, nativeTraining } from '../compute/training.ts';
import { nativeInference, initInference } from '../compute/inference.ts';
import { planBench } from '../benchmarks/sweep/sweep.ts';
import { resolveProtocol } from '../env/make-env.ts';
import { parseAgentList } from '../agents/registry.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeRecord, expectTrainsWithoutLeaks, tempDir } from './helpers.ts';

async function onOrtTraining<T>(fn: () => Promise<T>): Promise<T> {
  await initTraining('ort', { threads: 2 });
  try {
    return await fn();
  } finally {
    await initTraining('tfjs');
  }
}

const train = { optimizer: 'sgd' as const, lr: 0.05, momentum: 0.9, weightDecay: 1e-4, clipNorm: 4, batchSize: 4, cropHeight: 32, cropWidth: 32, flip: true };

/** Largest |a − b| over a variable, relative to its largest |b| (gradients span orders of magnitude across layers). */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / Math.max(m, 1e-12);
}

describe('native training step (training engine "ort")', () => {
  it('gradients equal tfjs autodiff (dropout on, masked labels) within 1e-4 of each layer’s largest (measured ≤ 4e-6), bitwise repeatable on 1 or 2 threads', async () => {
    const ds = makeSyntheticDataset({ seed: 3, height: 48, width: 64, counts: { d_t: 3, d_s: 0, d_v: 0, val: 0, test: 0 } });
    const m = UNetLearner.create(11, 48, 64, new Rng(7), train);
    // a third of the pixels unsupervised (label C), as region labelling leaves them
    const items = ds.splits.d_t!.map((s, i) => ({ sample: s, label: s.label.map((l, p) => ((p + i) % 3 === 0 ? 11 : l)) }));
    const batch = cropBatch(items, 48, 64, { height: 32, width: 48, flip: true }, new Rng(1));
    const seed = 99;
    const { x, y } = batchTensors(batch);
    const vars = trainableVariables(m.params);
    const { value, grads } = tf.variableGrads(() => maskedCrossEntropy(forward(m.params, x, seed), y), vars);
    const ref = vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
    const refLoss = value.dataSync()[0]!;
    const multiplier = dropoutMultiplier(seed, 3 * 32 * 48 * 16, 0.5);
    const [a, b] = await onOrtTraining(async () => [await ortGradients(nativeTraining()!, m.params, batch, multiplier), await ortGradients(nativeTraining()!, m.params, batch, multiplier)]);
    expect(a!.loss).to.be.closeTo(refLoss, 1e-5 * refLoss);
    expect(a!.grads).to.have.length(vars.length);
    const diffs = a!.grads.map((g, i) => relDiff(g, ref[i]!));
    expect(Math.max(...diffs), `per-variable relative differences ${diffs.map((d) => d.toExponential(1))}`).to.be.below(1e-4);
    expect(ref.every((g) => g.some((v) => v !== 0))).to.equal(true); // every layer gets a gradient
    a!.grads.forEach((g, i) => expect(Buffer.compare(Buffer.from(g.buffer), Buffer.from(b!.grads[i]!.buffer))).to.equal(0));
    // one thread sums the images in the same order as two worker threads
    await initTraining('ort', { threads: 1 });
    const single = await ortGradients(nativeTraining()!, m.params, batch, multiplier);
    await initTraining('tfjs');
    a!.grads.forEach((g, i) => expect(Buffer.compare(Buffer.from(g.buffer), Buffer.from(single.grads[i]!.buffer))).to.equal(0));
    tf.dispose([x, y, value, ...Object.values(grads)]);
    m.dispose();
  });

  it('an epoch on ort draws the same random numbers and lands within rounding of the tfjs epoch', async () => {
    const ds = makeSyntheticDataset({ seed: 4, height: 32, width: 48, counts: { d_t: 6, d_s: 0, d_v: 0, val: 0, test: 0 } });
    const items = ds.splits.d_t!.map((s) => ({ sample: s, label: s.label }));
    const ref = UNetLearner.create(11, 32, 48, new Rng(2), train);
    const nat = ref.clone();
    const [rngRef, rngNat] = [new Rng(5), new Rng(5)];
    const lossRef = await ref.trainEpoch(items, rngRef);
    const lossNat = await onOrtTraining(() => nat.trainEpoch(items, rngNat));
    expect(rngNat.next()).to.equal(rngRef.next());
    expect(lossNat).to.be.closeTo(lossRef, 1e-4 * lossRef);
    const w = (s: UNetLearner) => trainableVariables(s.params).map((v) => v.dataSync() as Float32Array);
    const [wr, wn] = [w(ref), w(nat)];
    wr.forEach((v, i) => expect(relDiff(wn[i]!, v)).to.be.below(1e-5)); // measured ≤ 1.1e-6
    ref.dispose();
    nat.dispose();
  });

  it('trains: loss falls over epochs, and no tensor leaks across epochs', () => onOrtTraining(() => expectTrainsWithoutLeaks({ weightDecay: 1e-4, flip: true })));

  it('selection: unknown engines and bad thread counts are refused naming the value; tfjs stays the default', async () => {
    expect(trainingInUse()).to.equal('tfjs');
    await initTraining('gpu' as never).then(
      () => expect.fail('accepted an unknown engine'),
      (e: Error) => expect(e).to.be.instanceOf(BackendError).and.have.property('message').that.includes("'gpu'"),
    );
    await initTraining('ort', { threads: 0 }).then(
      () => expect.fail('accepted 0 threads'),
      (e: Error) => expect(e.message).to.include('got 0'),
    );
    expect(trainingInUse()).to.equal('tfjs');
  });

  it('inference and training on as many threads share one native engine, which lives until both let go', async () => {
    await initInference('ort', { threads: 2 });
    await initTraining('ort', { threads: 2 });
    try {
      expect(nativeTraining()).to.equal(nativeInference());
      await initInference('tfjs'); // training still holds the engine: it must keep working
      const ds = makeSyntheticDataset({ seed: 2, height: 32, width: 32, counts: { d_t: 2, d_s: 0, d_v: 0, val: 0, test: 0 } });
      const m = UNetLearner.create(11, 32, 32, new Rng(3), train);
      expect(await m.trainEpoch(ds.splits.d_t!.map((s) => ({ sample: s, label: s.label })), new Rng(4))).to.be.above(0);
      m.dispose();
    } finally {
      await initInference('tfjs');
      await initTraining('tfjs');
    }
  });

  it('a runs file keeps one gradient engine: bench refuses to add ort-trained runs to tfjs ones', () => {
    const dir = tempDir();
    const out = join(dir, 'runs.jsonl');
    // a tfjs-trained record keyed to this plan
    const record = fakeRecord({ protocolOf: resolveProtocol('synthetic-quick'), agent: 'random', agentId: 'random', seed: 1, budgetRegions: 6, training: 'tfjs' });
    writeFileSync(out, JSON.stringify(record) + '\n');
    const opts = { protocol: resolveProtocol('synthetic-quick'), agents: parseAgentList('random'), seeds: [1], budgets: [6], workers: 1, outFile: out };
    expect(planBench({ ...opts, compute: { backend: 'wasm', inference: 'tfjs', training: 'tfjs' } }).skippedRuns).to.equal(1);
    expect(() => planBench({ ...opts, compute: { backend: 'wasm', inference: 'tfjs', training: 'ort' } })).to.throw(ConfigError, /'tfjs' gradients; --training ort/);
  });
});
