/**
 * The Cityscapes protocol (cityscapes-ralis) on a generated fixture in Cityscapes' layout (never the real
 * data, which is not here): full-size 1024×2048 PNGs with labelIds, read at the protocol's scale, the
 * RALIS roles made from the train split (disjoint, D_S out of D_V), and an env of the protocol — its
 * step and pool sizes cut to the fixture — passing check-env.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../env/data/png.ts';
import { loadCityscapes } from '../env/data/cityscapes.ts';
import { loadProtocol, parseProtocol } from '../env/protocol/load.ts';
import { makeEnv } from '../env/make-env.ts';
import { checkEnv } from '../env/core/check-env.ts';
import { REGION_AL_CHECKS } from '../env/core/region-al-checks.ts';

const [H, W] = [1024, 2048];

/** One fixture image: road below, sky above, a car box whose place depends on `k`; labelIds as Cityscapes (7 road, 23 sky, 26 car, 0 unlabeled). */
function fixture(root: string, split: string, city: string, k: number): void {
  const rgb = new Uint8Array(H * W * 3);
  const ids = new Uint8Array(H * W);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const car = y > 600 && y < 800 && x > 200 + 90 * k && x < 700 + 90 * k;
      const [id, c] = car ? [26, [0, 0, 142]] : y < 400 ? [23, [70, 130, 180]] : y > H - 16 ? [0, [0, 0, 0]] : [7, [128, 64, 128]];
      ids[y * W + x] = id;
      rgb.set([(c[0]! + 7 * k + (x % 13)) % 256, c[1]!, c[2]!], 3 * (y * W + x));
    }
  const stem = `${city}_${String(k).padStart(6, '0')}_000019`;
  mkdirSync(join(root, 'leftImg8bit', split, city), { recursive: true });
  mkdirSync(join(root, 'gtFine', split, city), { recursive: true });
  writeFileSync(join(root, 'leftImg8bit', split, city, `${stem}_leftImg8bit.png`), encodePng(W, H, rgb, 3));
  writeFileSync(join(root, 'gtFine', split, city, `${stem}_gtFine_labelIds.png`), encodePng(W, H, ids, 1));
}

describe('the Cityscapes protocol on a fixture in Cityscapes\' layout', function () {
  this.timeout(300_000);
  const root = mkdtempSync(join(tmpdir(), 'regiongym-cityscapes-'));
  before(() => {
    for (let k = 0; k < 12; k++) fixture(root, 'train', k < 6 ? 'aachen' : 'bremen', k);
    for (let k = 0; k < 2; k++) fixture(root, 'val', 'frankfurt', k);
  });

  it('reads the roles from the train split: disjoint, in the paper\'s proportions, at least one each; test is the official val', () => {
    const ds = loadCityscapes({ root, scale: 0.25 });
    expect([ds.height, ds.width, ds.numClasses, ds.ignoreIndex]).to.deep.equal([256, 512, 19, 19]);
    const ids = (k: 'd_t' | 'd_s' | 'd_r' | 'd_v') => ds.splits[k]!.map((s) => s.id);
    expect([ids('d_t').length, ids('d_s').length, ids('d_r').length, ids('d_v').length]).to.deep.equal([1, 1, 1, 9]);
    const all = ['d_t', 'd_s', 'd_r', 'd_v'].flatMap((k) => ids(k as 'd_t'));
    expect(new Set(all).size).to.equal(12);
    expect(ds.splits.test!.map((s) => s.id)).to.deep.equal(ds.splits.val!.map((s) => s.id));
    // labelIds mapped to train ids: road 0, sky 10, car 13, unlabeled → ignore 19
    expect(new Set(ds.splits.d_v![0]!.label)).to.deep.equal(new Set([0, 10, 13, 19]));
    // the same partition on every load (seeded)
    expect(loadCityscapes({ root, scale: 0.25 }).splits.d_v!.map((s) => s.id)).to.deep.equal(ids('d_v'));
  });

  it('cityscapes-ralis parses as shipped, and its env (steps and pools cut to the fixture) passes check-env', async () => {
    const shipped = loadProtocol('cityscapes-ralis');
    expect([shipped.regions.height, shipped.poolsPerStep, shipped.data.scale, shipped.splits.reward]).to.deep.equal([32, 256, 0.25, 'd_r']);
    const small = parseProtocol({ ...structuredClone(shipped), poolsPerStep: 8, poolSize: { policy: 2, eval: 2 }, budgets: [16, 32], policyBudget: 16, seeds: [1], initialModel: { ...shipped.initialModel, pretrainEpochs: 1 } }, 'cityscapes-ralis (cut to the fixture)');
    const results = await checkEnv(() => makeEnv(small, { phase: 'eval', dataRoot: root }), REGION_AL_CHECKS);
    const failed = results.filter((r) => r.status === 'fail');
    expect(failed, JSON.stringify(failed)).to.deep.equal([]);
  });
});
