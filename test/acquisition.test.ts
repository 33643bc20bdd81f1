/**
 * The acquisition agents and the statistics they read: each score against a case worked out by hand
 * (2 regions, 3 classes), masked candidates never picked (fast-check), same seed ⇒ same actions, and
 * the oracle's probe undone exactly.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.ts';
import { makeGrid } from '../env/regions.ts';
import { marginScore } from '../env/scores/margin.ts';
import { secondOverFirstScore } from '../env/scores/second-over-first.ts';
import { dominantClassScore } from '../env/scores/dominant-class.ts';
import { impurityScore } from '../env/scores/impurity.ts';
import { regionEmbeddingScore } from '../env/scores/region-embedding.ts';
import { gradientEmbeddingScore } from '../env/scores/gradient-embedding.ts';
import { regionFeatures } from '../env/features.ts';
import { classBalancedScores } from '../baselines/class-balanced.ts';
import { powerSample } from '../baselines/power.ts';
import { kCenterGreedy } from '../baselines/coreset.ts';
import { kmeansPlusPlusPerPool } from '../baselines/badge.ts';
import { agentEntries, makeAgent, parseAgent } from '../agents/registry.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../env/active-seg-types.ts';
import { tinyEnv, pickAction } from './env-fixture.ts';
import type { UNetLearner } from '../env/learners/unet/learner.ts';

// an 8×16 image of two 8×8 regions; region 0 (left) and region 1 (right) have one distribution each
const grid = makeGrid(8, 16, 8, 8);
const ctx = { grid, numClasses: 3 };
function probsOf(left: number[], right: number[]): tf.Tensor4D {
  const data: number[] = [];
  for (let y = 0; y < 8; y++) for (let x = 0; x < 16; x++) data.push(...(x < 8 ? left : right));
  return tf.tensor4d(data, [1, 8, 16, 3]);
}
const col = (t: tf.Tensor) => Array.from(t.dataSync());

describe('acquisition statistics (hand-computed)', () => {
  const p = probsOf([0.5, 0.3, 0.2], [0.1, 0.8, 0.1]);
  after(() => p.dispose());

  it('margin: mean of 1 − (p1 − p2)', () => {
    const m = tf.tidy(() => marginScore.compute(p, ctx));
    expect(col(m)[0]).to.be.closeTo(1 - (0.5 - 0.3), 1e-6);
    expect(col(m)[1]).to.be.closeTo(1 - (0.8 - 0.1), 1e-6);
    m.dispose();
  });

  it('second-over-first: mean of p2/p1; dominant class: the majority predicted class', () => {
    const u = tf.tidy(() => secondOverFirstScore.compute(p, ctx));
    expect(col(u)[0]).to.be.closeTo(0.3 / 0.5, 1e-6);
    expect(col(u)[1]).to.be.closeTo(0.1 / 0.8, 1e-6);
    const rf = regionFeatures(p, grid);
    const d = tf.tidy(() => dominantClassScore.compute({ rows: rf.features, meanEntropy: rf.meanEntropy }, ctx));
    expect(col(d)).to.deep.equal([0, 1]);
    tf.dispose([u, d, rf.features, rf.meanEntropy]);
  });

  it('class-balanced: u · exp(−share of candidates with the same dominant class)', () => {
    // three candidates: two of class 0, one of class 1; a padding slot scores 0
    const s = classBalancedScores([0.6, 0.4, 0.125, 0.9], [0, 0, 1, 0], Uint8Array.from([1, 1, 1, 0]));
    expect(s[0]).to.be.closeTo(0.6 * Math.exp(-2 / 3), 1e-6);
    expect(s[1]).to.be.closeTo(0.4 * Math.exp(-2 / 3), 1e-6);
    expect(s[2]).to.be.closeTo(0.125 * Math.exp(-1 / 3), 1e-6);
    expect(s[3]).to.equal(0);
  });

  it('impurity: P·U by hand, 0 inside one-class areas, the window clipped at the border', () => {
    // each region predicts one class; only its column next to the other region sees a mix (2/3, 1/3)
    const pure = tf.tidy(() => impurityScore.compute(p, ctx));
    const Pmix = -((2 / 3) * Math.log(2 / 3) + (1 / 3) * Math.log(1 / 3)) / Math.log(3);
    const H = (q: number[]) => -q.reduce((a, v) => a + v * Math.log(v), 0) / Math.log(3);
    expect(col(pure)[0]).to.be.closeTo((Pmix * H([0.5, 0.3, 0.2])) / 8, 1e-5);
    expect(col(pure)[1]).to.be.closeTo((Pmix * H([0.1, 0.8, 0.1])) / 8, 1e-5);
    // region 1 alternates columns of class 0 and class 1 (probabilities 0.6/0.4 and 0.4/0.6)
    const data: number[] = [];
    for (let y = 0; y < 8; y++) for (let x = 0; x < 16; x++) data.push(...(x < 8 ? [0.5, 0.3, 0.2] : x % 2 ? [0.4, 0.6, 0] : [0.6, 0.4, 0]));
    const q = tf.tensor4d(data, [1, 8, 16, 3]);
    const s = tf.tidy(() => impurityScore.compute(q, ctx));
    // an interior pixel's window holds 3 columns: shares 2/3, 1/3 (or 1/3, 2/3); U = H(0.6, 0.4) / ln 3
    const P = -((2 / 3) * Math.log(2 / 3) + (1 / 3) * Math.log(1 / 3)) / Math.log(3);
    const U = -(0.6 * Math.log(0.6) + 0.4 * Math.log(0.4)) / Math.log(3);
    // interior columns 9..14 see three stripes (P as above); column 8 also sees column 7 (class 0:
    // shares 2/3 class 0 either way, the same P); column 15 is clipped at the border: shares 1/2, 1/2
    const P15 = 1 * Math.log(2) / Math.log(3);
    const want = (7 * P + P15) / 8 * U;
    expect(col(s)[1]!).to.be.closeTo(want, 1e-5);
    tf.dispose([pure, q, s]);
  });

  it('region embedding: the mean of the cells whose centre is in the region; gradient embedding: mean of (p − onehot) ⊗ h', () => {
    // 1×2 grid of cells, one per region; h = [1, 2] and [3, 4]; p = (0.5, 0.3, 0.2) and (0.1, 0.8, 0.1)
    const features = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
    const probs = tf.tensor4d([0.5, 0.3, 0.2, 0.1, 0.8, 0.1], [1, 1, 2, 3]);
    const e = { features, probs, cellH: 8, cellW: 8 };
    const r = tf.tidy(() => regionEmbeddingScore.compute(e, ctx));
    expect(col(r)).to.deep.equal([1, 2, 3, 4]);
    const g = tf.tidy(() => gradientEmbeddingScore.compute(e, ctx));
    const want0 = [0.5 - 1, 0.3, 0.2].flatMap((gc) => [gc * 1, gc * 2]);
    const want1 = [0.1, 0.8 - 1, 0.1].flatMap((gc) => [gc * 3, gc * 4]);
    col(g).forEach((v, i) => expect(v).to.be.closeTo([...want0, ...want1][i]!, 1e-6));
    tf.dispose([features, probs, r, g]);
  });
});

describe('acquisition agents', () => {
  it('power sampling: T → 0 is the argmax; T = 1 picks ∝ score', () => {
    const mask = Uint8Array.from([1, 1]);
    const rng = new Rng(3);
    for (let i = 0; i < 20; i++) expect(powerSample([1, 3], mask, 1, 2, 1e-6, rng)[0]).to.equal(1);
    let ones = 0;
    for (let i = 0; i < 4000; i++) ones += powerSample([1, 3], mask, 1, 2, 1, rng)[0]!;
    expect(ones / 4000).to.be.closeTo(0.75, 0.03);
    // all-zero scores: uniform
    let z = 0;
    for (let i = 0; i < 4000; i++) z += powerSample([0, 0], mask, 1, 2, 1, rng)[0]!;
    expect(z / 4000).to.be.closeTo(0.5, 0.03);
  });

  it('coreset: k-center greedy, each pool farthest from the labelled set and earlier picks', () => {
    // 1-D embeddings; labelled at 0; pool 0 = {1, 5}, pool 1 = {6, 2}
    const picks = kCenterGreedy(Float32Array.from([1, 5, 6, 2]), Float32Array.from([0]), 1, Uint8Array.from([1, 1, 1, 1]), 2, 2);
    // pool 0: 5 is farthest from 0; pool 1: distances to {0, 5} are 1 (6) and 2 (2) → 2
    expect(Array.from(picks)).to.deep.equal([1, 1]);
  });

  it('badge: the first pick has the largest norm; later pools ∝ squared distance (a point on a pick is never drawn)', () => {
    const g = Float32Array.from([1, 0, 3, 0, 3, 0, 3, 4]); // pool 0: |1|, |3| → pick 1 (3,0); pool 1: (3,0) at 0, (3,4) at 16
    for (let s = 0; s < 20; s++) expect(Array.from(kmeansPlusPlusPerPool(g, 2, Uint8Array.from([1, 1, 1, 1]), 2, 2, new Rng(s)))).to.deep.equal([1, 1]);
  });

  const K = 3, N = 4;
  const fakeInfo = (rng: Rng, mask: Uint8Array): { obs: ActiveSegObs; info: ActiveSegInfo } => {
    const v = () => Float32Array.from({ length: K * N }, () => rng.next());
    const candidates: Record<string, Float32Array> = { entropy: v(), bald: v(), margin: v(), 'second-over-first': v(), 'dominant-class': Float32Array.from({ length: K * N }, () => rng.int(3)), impurity: v(), 'region-embedding': Float32Array.from({ length: K * N * 2 }, () => rng.next()), 'gradient-embedding': Float32Array.from({ length: K * N * 2 }, () => rng.next()) };
    return {
      obs: { state: tf.zeros([2, 2]), pools: tf.zeros([K, N, 2]), actionMask: mask },
      info: { candidates, candidateWidths: { 'region-embedding': 2, 'gradient-embedding': 2 }, labeledStatistics: { 'region-embedding': Float32Array.from([0.5, 0.5]) } } as unknown as ActiveSegInfo,
    };
  };
  // 'module' and 'exec' load the user's own agent (test/own-agent.test.ts, test/exec-agent.test.ts): not built-ins to hold to these
  const scoreAgents = agentEntries().filter((e) => !['dqn', 'oracle', 'module', 'exec'].includes(e.name));

  it('no agent picks a masked candidate, and the same seed gives the same actions (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: K * N, maxLength: K * N }), fc.nat(1000), async (bits, seed) => {
        const mask = Uint8Array.from(bits, (b) => (b ? 1 : 0));
        for (const e of scoreAgents) {
          const agent = await makeAgent(parseAgent(e.name));
          const { obs, info } = fakeInfo(new Rng(seed), mask);
          const a = await agent.act(obs, info, new Rng(seed + 1));
          const b = await agent.act(obs, info, new Rng(seed + 1));
          expect(Array.from(a), e.name).to.deep.equal(Array.from(b));
          for (let k = 0; k < K; k++) {
            const poolHas = mask.subarray(k * N, (k + 1) * N).includes(1);
            if (poolHas) expect(mask[k * N + a[k]!], `${e.name} pool ${k}`).to.equal(1);
          }
          tf.dispose([obs.state, obs.pools]);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('every agent is listed with a description and a source, and says what it needs', () => {
    for (const e of agentEntries()) {
      expect(e.description.length, e.name).to.be.above(10);
      expect(e.source.length, e.name).to.be.above(3);
    }
    expect(agentEntries().map((e) => e.name)).to.include.members(['random', 'entropy', 'bald', 'margin', 'class-balanced', 'impurity', 'power-entropy', 'power-bald', 'coreset', 'badge', 'image-random', 'image-entropy', 'oracle', 'dqn']);
  });
});

describe('oracle probes and whole-image labelling in the env', function () {
  this.timeout(300000);

  it('a probe leaves weights, optimizer state and the training stream exactly as they were', async () => {
    const run = async (probeFirst: boolean) => {
      const env = tinyEnv({ budgetRegions: 9 });
      let [obs] = await env.reset({ seed: 4 });
      [obs] = await env.step(pickAction(obs.actionMask, 3, 3, [0, 1, 2]));
      const m = env.model as UNetLearner;
      const before = m.params.layers.map((l) => Array.from(l.kernel.dataSync()));
      const vel = m.optimizer.state().map((v) => Array.from(v.dataSync()));
      if (probeFirst) {
        const gain = await env.probe([0, 4]);
        expect(Number.isFinite(gain)).to.equal(true);
        expect(m.params.layers.map((l) => Array.from(l.kernel.dataSync()))).to.deep.equal(before);
        expect(m.optimizer.state().map((v) => Array.from(v.dataSync()))).to.deep.equal(vel);
        expect(env.labeledRegionIds).to.have.length(3);
      }
      const [, reward] = await env.step(pickAction(obs.actionMask, 3, 3, [1, 1, 1]));
      const after = m.params.layers.map((l) => Array.from(l.kernel.dataSync()));
      env.close();
      return { reward, after };
    };
    const [plain, probed] = [await run(false), await run(true)];
    expect(probed.reward).to.equal(plain.reward);
    expect(probed.after).to.deep.equal(plain.after);
  });

  it('the oracle picks, per pool, the probed candidate of highest gain', async () => {
    const env = tinyEnv({ budgetRegions: 6 });
    const [obs, info] = await env.reset({ seed: 6 });
    const oracle = await makeAgent(parseAgent('oracle=3'));
    oracle.attach!(env);
    const action = await oracle.act(obs, info, new Rng(1));
    for (let k = 0; k < 3; k++) {
      const allowed = [0, 1, 2].filter((n) => obs.actionMask[k * 3 + n]);
      // the oracle probed a seeded sample of min(S, allowed) = all of them: the best gain must be its pick
      let best = -1, bestGain = -Infinity;
      for (const n of allowed) {
        const gain = await env.probe([k * 3 + n]);
        if (gain > bestGain) [best, bestGain] = [n, gain];
      }
      expect(action[k]).to.equal(best);
    }
    env.close();
  });

  it("labelUnit 'image': one pool of whole images per step, every region of the image labelled, budget in regions", async () => {
    // tiny env: 6 regions per image, K = 3 → max(1, ⌊3/6⌋) = 1 pool
    const env = tinyEnv({ budgetRegions: 10, labelUnit: 'image' });
    expect(env.actionSpace.nvec).to.deep.equal([3]);
    let [obs, info] = await env.reset({ seed: 2 });
    const steps: number[] = [];
    for (let done = false; !done; ) {
      const out = await env.step(pickAction(obs.actionMask, 1, 3, [0]));
      [obs, , , , info] = out;
      done = out[2] || out[3];
      steps.push(info.newRegionIds.length);
    }
    expect(steps).to.deep.equal([6, 4]); // a whole image, then the budget's remaining 4 regions of the next
    const firstImage = Math.floor(info.labeledRegionIds[0]! / 6);
    expect(Array.from(info.labeledRegionIds.slice(0, 6)).map((id) => Math.floor(id / 6))).to.deep.equal(new Array(6).fill(firstImage));
    env.close();
  });
});
