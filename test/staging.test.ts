/** Reused buffers of the native engine's feeds (compute/ort/staging.ts, frozen-encoder/run-buffers.ts): reuse never hands one buffer to two users at once. */
import { expect } from 'chai';
import fc from 'fast-check';
import { StagingCopies } from '../compute/ort/staging.ts';
import { RunBuffers } from '../env/learners/frozen-encoder/run-buffers.ts';

const shared = (values: number[]) => {
  const a = new Float32Array(new SharedArrayBuffer(values.length * 4));
  a.set(values);
  return a;
};

describe('staging copies of shared-memory feeds', () => {
  it('owned memory passes through; shared memory is copied, and a copy is reused only after its run released it', () => {
    const s = new StagingCopies();
    const owned = new Float32Array([1, 2]);
    const taken: (Float32Array | Uint16Array | Int32Array)[] = [];
    expect(s.own(owned, taken)).to.equal(owned);
    expect(taken).to.have.length(0);
    const first = s.own(shared([1, 2, 3]), taken);
    const second = s.own(shared([4, 5, 6]), taken); // in flight together: two copies
    expect(first.buffer).to.not.be.instanceOf(SharedArrayBuffer);
    expect(Array.from(first)).to.deep.equal([1, 2, 3]);
    expect(Array.from(second)).to.deep.equal([4, 5, 6]);
    expect(second).to.not.equal(first);
    s.release(taken);
    const again = s.own(shared([7, 8, 9]), []);
    expect([first, second]).to.include(again);
    expect(Array.from(again)).to.deep.equal([7, 8, 9]);
    expect(s.own(new Int32Array(new SharedArrayBuffer(12)), [])).to.be.instanceOf(Int32Array); // kept apart by type
  });

  it('property: every staged copy equals its source, whatever the order of takes and releases', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 4 }), fc.boolean()), { maxLength: 30 }), (ops) => {
        const s = new StagingCopies();
        const live: { copy: Float32Array | Uint16Array | Int32Array; want: number[]; taken: (Float32Array | Uint16Array | Int32Array)[] }[] = [];
        for (const [values, releaseOne] of ops) {
          const taken: (Float32Array | Uint16Array | Int32Array)[] = [];
          live.push({ copy: s.own(shared(values), taken), want: Array.from(Float32Array.from(values)), taken });
          if (releaseOne && live.length) s.release(live.shift()!.taken);
          for (const l of live) expect(Array.from(l.copy)).to.deep.equal(l.want);
        }
      }),
    );
  });
});

describe('run buffers of native training', () => {
  it('buffer i is exactly the length asked, kept while large enough, and distinct from buffer j', () => {
    const b = new RunBuffers((n) => new Uint16Array(n));
    const x = b.take(0, 8);
    x.fill(7);
    const y = b.take(1, 8);
    expect(y.buffer).to.not.equal(x.buffer);
    const x2 = b.take(0, 5);
    expect(x2.length).to.equal(5);
    expect(x2.buffer).to.equal(x.buffer); // reused: the memory is already mapped
    expect(b.take(0, 20).length).to.equal(20); // grown
  });
});
