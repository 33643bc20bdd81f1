/**
 * The frozen-encoder learner's own pieces: float16 storage, the feature cache on disk (hits give the
 * same bits, corrupt entries are named and recomputed, never used), shared stores, and aligned
 * training crops equal to upsampling the whole image. (The SegLearner contract is in
 * learner-contract.test.ts; real-CamVid checks run when the data set is there.)
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHalf, encodeHalf, toHalf } from '../nn/float16.ts';
import { readCacheFile, writeCacheFile } from '../env/learners/frozen-encoder/cache-file.ts';
import { FeatureCacheError } from '../core/errors.ts';
import { alignedCells, alignedStart, upsampleWindow } from '../env/learners/frozen-encoder/learner.ts';
import { centernetDir, CENTERNET, Encoder } from '../env/learners/frozen-encoder/encoder.ts';
import { FeatureStore, fillStore, storeKey } from '../env/learners/frozen-encoder/feature-store.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { maxAbsDiff, tempDir } from './helpers.ts';

describe('frozen encoder: storage, cache, crops', function () {
  this.timeout(300000);

  it('float16: exact round trip of representable values, round to nearest even, subnormals, overflow', () => {
    expect(toHalf(1)).to.equal(0x3c00);
    expect(toHalf(-2)).to.equal(0xc000);
    expect(toHalf(65504)).to.equal(0x7bff);
    expect(toHalf(70000)).to.equal(0x7c00); // overflow → Inf
    expect(toHalf(2 ** -24)).to.equal(0x0001); // smallest subnormal
    expect(toHalf(1 + 2 ** -11)).to.equal(0x3c00); // a tie rounds to even
    expect(toHalf(1 + 3 * 2 ** -11)).to.equal(0x3c02);
    const xs = Float32Array.from({ length: 1000 }, (_, i) => (i - 500) / 7.3);
    const back = decodeHalf(encodeHalf(xs));
    xs.forEach((x, i) => expect(Math.abs(back[i]! - x)).to.be.at.most(Math.abs(x) * 2 ** -11 + 1e-7));
  });

  it('cache files: a hit gives the same bits; wrong size, header or checksum is a FeatureCacheError naming the file', () => {
    const dir = tempDir();
    const dims = { gridH: 2, gridW: 3, channels: 4 };
    const halves = Uint16Array.from({ length: 24 }, (_, i) => i * 97);
    const path = join(dir, 'a.f16');
    writeCacheFile(path, dims, halves);
    const into = new Uint16Array(24);
    expect(Array.from(readCacheFile(path, dims, into)!)).to.deep.equal(Array.from(halves));
    expect(readCacheFile(join(dir, 'none.f16'), dims, into)).to.equal(null);
    const good = readFileSync(path);
    writeFileSync(path, good.subarray(0, good.length - 3));
    expect(() => readCacheFile(path, dims, into)).to.throw(FeatureCacheError, /a\.f16: 77 bytes, expected 80/);
    const flipped = Buffer.from(good);
    flipped[40] = flipped[40]! ^ 1;
    writeFileSync(path, flipped);
    expect(() => readCacheFile(path, dims, into)).to.throw(FeatureCacheError, /checksum mismatch/);
    expect(() => readCacheFile(path, { ...dims, channels: 2 }, new Uint16Array(12))).to.throw(FeatureCacheError, /expected 56/);
  });

  it('aligned training crops: the window upsampling equals the whole image upsampling on the kept pixels', () => {
    // CamVid geometry: 48×64 cells of 7.5 px over 360×480; alignment 2 cells = 15 px
    const [gh, gw, C, cell, a] = [48, 64, 3, 7.5, 2];
    const logits = tf.randomNormal([1, gh, gw, C], 0, 1, 'float32', 3) as tf.Tensor4D;
    const full = tf.image.resizeBilinear(logits, [360, 480], false, true);
    for (const [ay, ax] of [[45, 40], [315, 440], [0, 0], [359, 479], [135, 200]] as const) {
      const nH = alignedCells(96, cell, gh, a), nW = alignedCells(96, cell, gw, a);
      expect(nH % a).to.equal(0);
      const i0 = alignedStart(ay, cell, nH, gh, a), j0 = alignedStart(ax, cell, nW, gw, a);
      const m = a;
      // the window with edge cells repeated past the border
      const rows = Array.from({ length: nH + 2 * m }, (_, i) => Math.min(gh - 1, Math.max(0, i0 - m + i)));
      const cols = Array.from({ length: nW + 2 * m }, (_, j) => Math.min(gw - 1, Math.max(0, j0 - m + j)));
      const win = tf.gather(tf.gather(logits, rows, 1), cols, 2) as tf.Tensor4D;
      const [kh, kw] = [nH * cell, nW * cell];
      const got = upsampleWindow(win, cell, cell, m * cell, m * cell, kh, kw);
      const want = tf.slice(full, [0, i0 * cell, j0 * cell, 0], [1, kh, kw, C]);
      expect(maxAbsDiff(got.dataSync(), want.dataSync())).to.be.below(1e-4); // float32 rounding of the resize ratio
      // the crop holds the anchor
      expect(ay).to.be.within(i0 * cell, i0 * cell + kh);
      expect(ax).to.be.within(j0 * cell, j0 * cell + kw);
      tf.dispose([win, got, want]);
    }
    tf.dispose([logits, full]);
  });

  it('loading and disposing the encoder leaves no tensor behind (its probe input too: check-env on a cold cache counted it)', async function () {
    if (!centernetDir()) this.skip();
    const before = tf.memory().numTensors;
    const encoder = await Encoder.load(CENTERNET, 48, 64);
    encoder.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('the disk cache: a second fill reads every image back bit for bit; a corrupt entry is recomputed, never used', async function () {
    if (!centernetDir()) this.skip();
    const data = makeSyntheticDataset({ seed: 4, height: 48, width: 64, counts: { d_t: 3, d_s: 0, d_v: 0, val: 0, test: 0 } });
    const samples = data.splits.d_t!;
    const dims = { gridH: 48, gridW: 64, channels: 656 };
    const setup = { spec: CENTERNET, imageH: 48, imageW: 64 };
    const dir = tempDir();
    const first = FeatureStore.create(storeKey('t', 48, 64), dims, samples);
    const r1 = await fillStore(first, samples, setup, { cacheDir: dir, threads: 1 });
    expect([r1.encoded, r1.fromDisk]).to.deep.equal([3, 0]);
    const second = FeatureStore.create(storeKey('t', 48, 64), dims, samples);
    const r2 = await fillStore(second, samples, setup, { cacheDir: dir });
    expect([r2.encoded, r2.fromDisk]).to.deep.equal([0, 3]);
    samples.forEach((s) => expect(Buffer.compare(Buffer.from(first.view(s).slice().buffer), Buffer.from(second.view(s).slice().buffer))).to.equal(0));
    // corrupt one entry: it is reported and recomputed to the same bits
    const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.f16'))!);
    const bytes = readFileSync(file);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(file, bytes);
    const third = FeatureStore.create(storeKey('t', 48, 64), dims, samples);
    const r3 = await fillStore(third, samples, setup, { cacheDir: dir });
    expect(r3.recomputed).to.have.length(1);
    expect(r3.recomputed[0]).to.match(/checksum mismatch/);
    expect([r3.encoded, r3.fromDisk]).to.deep.equal([1, 2]);
    samples.forEach((s) => expect(Buffer.compare(Buffer.from(first.view(s).slice().buffer), Buffer.from(third.view(s).slice().buffer))).to.equal(0));
    expect(existsSync(file)).to.equal(true);
    // a store shared with another thread is the same memory (no copy)
    const adopted = FeatureStore.adopt(first.descriptor());
    expect(adopted.view(samples[0]!).buffer).to.equal(first.view(samples[0]!).buffer);
  });
});
