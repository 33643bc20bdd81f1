import { expect } from 'chai';
import fc from 'fast-check';
import { isShared, SampleArena } from '../env/data/sample-arena.ts';
import { loadData, sharedDatasets } from '../env/data/registry.ts';
import { DataError } from '../core/errors.ts';

describe('SampleArena: a data set in one SharedArrayBuffer', () => {
  it('hands out disjoint image and label views, in order, and refuses one more than its capacity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), (n, h, w) => {
        const arena = new SampleArena(n, h, w);
        const views = Array.from({ length: n }, () => arena.take());
        // write a distinct byte into every view; each must read back only its own
        views.forEach((v, i) => {
          v.image.fill(2 * i + 1);
          v.label.fill(2 * i + 2);
        });
        views.forEach((v, i) => {
          expect(v.image.length).to.equal(h * w * 3);
          expect(v.label.length).to.equal(h * w);
          expect(v.image.every((b) => b === 2 * i + 1) && v.label.every((b) => b === 2 * i + 2)).to.equal(true);
          expect(v.image.buffer).to.equal(views[0]!.image.buffer);
        });
        expect(() => arena.take()).to.throw(RangeError, new RegExp(`holds ${n} samples`));
      }),
    );
  });

  it('adopt copies a private sample into shared memory, bytes unchanged', () => {
    const arena = new SampleArena(1, 2, 3);
    const s = { id: 'x', image: Uint8Array.from({ length: 18 }, (_, i) => i), label: Uint8Array.from([0, 1, 2, 3, 4, 5]) };
    const t = arena.adopt(s);
    expect(isShared(s)).to.equal(false);
    expect(isShared(t)).to.equal(true);
    expect([t.id, Array.from(t.image), Array.from(t.label)]).to.deep.equal([s.id, Array.from(s.image), Array.from(s.label)]);
    // a sample of another size is refused by name, not cut or zero-padded
    expect(() => new SampleArena(1, 2, 3).adopt({ id: 'odd', image: new Uint8Array(12), label: new Uint8Array(4) })).to.throw(DataError, /sample 'odd' has 4 image and 4 label pixels; its data set's size gives 6/);
  });

  it("the registry shares a loader's private samples once, keeping splits that name one image the same object", () => {
    const spec = { name: 'synthetic', scale: 0.1, syntheticSeed: 7, syntheticCounts: { d_t: 2, d_s: 1, d_v: 3, val: 2, test: 2 } } as const;
    const before = loadData(spec);
    const shared = sharedDatasets().find((d) => d.data.name === before.name && d.data.splits.d_v!.length === 3)!.data;
    const all = Object.values(shared.splits).flat();
    expect(all.every(isShared)).to.equal(true);
    expect(shared.splits.train![0]).to.equal(shared.splits.d_t![0]);
    expect(new Set(all).size).to.equal(2 + 1 + 3 + 2 + 2);
    for (const [k, v] of Object.entries(before.splits)) expect(v!.map((s) => Array.from(s.label))).to.deep.equal(shared.splits[k as keyof typeof shared.splits]!.map((s) => Array.from(s.label)));
    expect(loadData(spec)).to.equal(shared); // this thread now uses the shared copy
  });
});
