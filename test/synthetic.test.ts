import { expect } from 'chai';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { labelHistogram } from '../env/data/dataset.ts';

describe('synthetic street scenes', () => {
  const opts = { seed: 3, height: 72, width: 96, counts: { d_t: 20, d_s: 2, d_v: 20, val: 6, test: 6 } };

  it('is a pure function of the seed', () => {
    const a = makeSyntheticDataset(opts), b = makeSyntheticDataset(opts), c = makeSyntheticDataset({ ...opts, seed: 4 });
    expect(Buffer.from(a.splits.val![3]!.image).equals(Buffer.from(b.splits.val![3]!.image))).to.equal(true);
    expect(Buffer.from(a.splits.val![3]!.label).equals(Buffer.from(b.splits.val![3]!.label))).to.equal(true);
    expect(Buffer.from(a.splits.val![3]!.image).equals(Buffer.from(c.splits.val![3]!.image))).to.equal(false);
  });

  it('an image does not depend on the size of other splits', () => {
    const a = makeSyntheticDataset(opts);
    const b = makeSyntheticDataset({ ...opts, counts: { ...opts.counts, d_t: 3, test: 1 } });
    expect(Buffer.from(a.splits.d_v![5]!.label).equals(Buffer.from(b.splits.d_v![5]!.label))).to.equal(true);
  });

  it('has shapes, label range and the AL roles partitioning train', () => {
    const ds = makeSyntheticDataset(opts);
    expect(ds.splits.train).to.have.length(42);
    expect(new Set([...ds.splits.d_t!, ...ds.splits.d_s!, ...ds.splits.d_v!])).to.have.property('size', 42);
    for (const s of ds.splits.train!) {
      expect(s.image).to.have.length(72 * 96 * 3);
      expect(s.label).to.have.length(72 * 96);
      expect(Math.max(...s.label)).to.be.at.most(11);
    }
  });

  it('has CamVid-like imbalance: every class occurs, pedestrians, bicyclists, signs and poles are rare', () => {
    const ds = makeSyntheticDataset({ ...opts, counts: { d_t: 150, d_s: 0, d_v: 0, val: 0, test: 0 } });
    const hist = labelHistogram(ds.splits.d_t!, 11);
    const total = hist.reduce((a, b) => a + b, 0);
    const freq = Array.from(hist, (v) => v / total);
    console.log('      class pixel frequencies (%):', ds.classNames.map((n, c) => `${n} ${(100 * freq[c]!).toFixed(2)}`).join(', '), `, void ${(100 * freq[11]!).toFixed(2)}`);
    for (let c = 0; c < 11; c++) expect(freq[c], ds.classNames[c]).to.be.above(0);
    for (const rare of [2, 6, 9, 10]) expect(freq[rare], ds.classNames[rare]).to.be.below(0.01);
    for (const common of [0, 1, 3]) expect(freq[common], ds.classNames[common]).to.be.above(0.1);
  });

  it('rejects sizes that cannot hold a scene', () => {
    expect(() => makeSyntheticDataset({ ...opts, height: 8 })).to.throw(/8×96/);
  });
});
