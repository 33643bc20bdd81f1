import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCamVid } from '../env/data/camvid.ts';
import { isShared } from '../env/data/sample-arena.ts';
import { CITYSCAPES_LABEL_LUT, loadCityscapes } from '../env/data/cityscapes.ts';
import { encodePng, readPngChannel0, readPngRgb } from '../env/data/png.ts';
import { resizeBilinear, resizeNearest } from '../env/data/resize.ts';
import { DataError } from '../core/errors.ts';
import { CAMVID_DIR, HAS_CAMVID, tempDir } from './helpers.ts';

describe('PNG and resizing', () => {
  it('round-trips RGB and gray PNGs', () => {
    const dir = tempDir();
    const rgb = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256);
    writeFileSync(join(dir, 'a.png'), encodePng(4, 3, rgb, 3));
    expect(Array.from(readPngRgb(join(dir, 'a.png')).rgb)).to.deep.equal(Array.from(rgb));
    const gray = Uint8Array.from({ length: 12 }, (_, i) => i);
    writeFileSync(join(dir, 'b.png'), encodePng(4, 3, gray, 1));
    expect(Array.from(readPngChannel0(join(dir, 'b.png')).values)).to.deep.equal(Array.from(gray));
  });

  it('names the file when it is missing or corrupt', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.png'), 'not a png');
    expect(() => readPngRgb(join(dir, 'bad.png'))).to.throw(DataError, /corrupt PNG file .*bad\.png/);
    expect(() => readPngRgb(join(dir, 'none.png'))).to.throw(DataError, /none\.png: ENOENT/);
  });

  it('nearest keeps label values, bilinear averages', () => {
    const lab = Uint8Array.from([0, 1, 2, 3]);
    expect(Array.from(resizeNearest(lab, 2, 2, 4, 4))).to.deep.equal([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
    const img = Uint8Array.from([0, 100, 200, 100]); // 2×2, 1 channel
    expect(Array.from(resizeBilinear(img, 2, 2, 1, 1, 1))).to.deep.equal([100]);
  });
});

describe('Cityscapes loader (tiny fixture written here)', () => {
  it('maps labelIds to the 19 train ids and everything else to 19', () => {
    expect(CITYSCAPES_LABEL_LUT[7]).to.equal(0); // road
    expect(CITYSCAPES_LABEL_LUT[26]).to.equal(13); // car
    expect(CITYSCAPES_LABEL_LUT[33]).to.equal(18); // bicycle
    for (const other of [0, 1, 6, 9, 10, 14, 15, 16, 18, 29, 30, 34, 255]) expect(CITYSCAPES_LABEL_LUT[other], `id ${other}`).to.equal(19);

    const root = tempDir();
    const W = 8, H = 4;
    for (const split of ['train', 'val']) {
      mkdirSync(join(root, 'leftImg8bit', split, 'bremen'), { recursive: true });
      mkdirSync(join(root, 'gtFine', split, 'bremen'), { recursive: true });
      const ids = Uint8Array.from({ length: W * H }, (_, i) => [7, 8, 26, 33, 0, 29, 24, 11][i % 8]!);
      writeFileSync(join(root, 'leftImg8bit', split, 'bremen', 'bremen_000000_000019_leftImg8bit.png'), encodePng(W, H, new Uint8Array(W * H * 3).fill(9), 3));
      writeFileSync(join(root, 'gtFine', split, 'bremen', 'bremen_000000_000019_gtFine_labelIds.png'), encodePng(W, H, ids, 1));
    }
    const ds = loadCityscapes({ root, scale: 1 });
    expect(ds.numClasses).to.equal(19);
    expect([ds.height, ds.width]).to.deep.equal([H, W]);
    expect(Array.from(ds.splits.train![0]!.label.slice(0, 8))).to.deep.equal([0, 1, 13, 18, 19, 19, 11, 2]);
    expect(ds.splits.test).to.equal(ds.splits.val);
  });

  it('names a missing label file', () => {
    const root = tempDir();
    mkdirSync(join(root, 'leftImg8bit', 'train', 'ulm'), { recursive: true });
    writeFileSync(join(root, 'leftImg8bit', 'train', 'ulm', 'ulm_1_leftImg8bit.png'), encodePng(2, 2, new Uint8Array(12), 3));
    expect(() => loadCityscapes({ root, scale: 1, splits: ['train'] })).to.throw(DataError, /ulm_1_gtFine_labelIds\.png is missing/);
  });
});

describe('CamVid loader', function () {
  it('rejects a folder that is not CamVid, naming it', () => {
    expect(() => loadCamVid({ root: '/definitely/not/here', scale: 0.2 })).to.throw(DataError, /\/definitely\/not\/here/);
  });

  (HAS_CAMVID ? it : it.skip)('real CamVid: split counts 367/101/233, RALIS d_t 100 / d_s 10 / d_v 257, label range, scaled size', function () {
    this.timeout(300000);
    const ds = loadCamVid({ root: CAMVID_DIR, scale: 0.2 });
    expect([ds.height, ds.width]).to.deep.equal([72, 96]);
    const n = (k: 'train' | 'val' | 'test' | 'd_t' | 'd_s' | 'd_v') => ds.splits[k]!.length;
    expect([n('train'), n('val'), n('test')]).to.deep.equal([367, 101, 233]);
    expect([n('d_t'), n('d_s'), n('d_v')]).to.deep.equal([100, 10, 257]);
    expect(new Set([...ds.splits.d_t!, ...ds.splits.d_s!, ...ds.splits.d_v!].map((s) => s.id)).size).to.equal(367);
    let max = 0;
    const seen = new Set<number>();
    for (const s of [...ds.splits.train!, ...ds.splits.val!, ...ds.splits.test!]) for (const v of s.label) { seen.add(v); if (v > max) max = v; }
    expect(max).to.equal(11);
    expect(seen.size).to.equal(12);
    expect(loadCamVid({ root: CAMVID_DIR, scale: 0.2 })).to.equal(ds); // cached
    // decoded straight into shared memory: worker threads adopt these very bytes
    expect([...ds.splits.train!, ...ds.splits.val!, ...ds.splits.test!].every(isShared)).to.equal(true);
  });
});
