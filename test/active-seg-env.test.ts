import { expect } from 'chai';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { ActiveSegEnv } from '../env/active-seg-env.ts';
import { InvalidActionError, ResetNeededError, ConfigError } from '../core/errors.ts';
import { checkEnv, snapshot, firstDifference } from '../env/core/check-env.ts';
import { REGION_AL_CHECKS } from '../env/core/region-al-checks.ts';
import { ConfusionMatrix, meanIoU } from '../env/metrics.ts';
import { regionOrigin } from '../env/regions.ts';
import type { ActiveSegEvent } from '../env/active-seg-types.ts';
import { tinyEnv, tinyData, pickAction } from './env-fixture.ts';
import type { UNetLearner } from '../env/learners/unet/learner.ts';

const K = 3, N = 3;
const choicesArb = fc.array(fc.array(fc.nat(9), { minLength: K, maxLength: K }), { minLength: 6, maxLength: 6 });

/** Independent reward-set mIoU of the env's current model: plain-array confusion matrix. */
async function independentMIoU(env: ActiveSegEnv): Promise<number> {
  const val = tinyData().splits.val!;
  const probs = await env.model!.probabilities(val);
  const pred = tf.tidy(() => tf.argMax(probs, 3).dataSync());
  probs.dispose();
  const cm = new ConfusionMatrix(11);
  cm.addArrays(pred, val.flatMap((s) => Array.from(s.label)));
  return meanIoU(cm);
}

describe('ActiveSegEnv invariants (property tests)', function () {
  this.timeout(600000);

  it('budget, labelled set growth, masks, reward = 100·ΔmIoU, obs in space, action mask = padding, KL histograms', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1e6 }), choicesArb, async (seed, choices) => {
        const env = tinyEnv();
        let [obs, info] = await env.reset({ seed });
        let prevMIoU = await independentMIoU(env);
        expect(info.rewardMIoU).to.be.closeTo(prevMIoU, 1e-9);
        let prevLabeled: number[] = [];
        for (let t = 0; ; t++) {
          expect(env.observationSpace.explain(obs)).to.equal(null);
          // mask marks exactly the padding, and padding rows are zero
          const pools = obs.pools.arraySync().flat();
          info.candidateIds.forEach((id, i) => {
            expect(obs.actionMask[i]).to.equal(id >= 0 ? 1 : 0);
            if (id < 0) expect(pools[i]!.every((v) => v === 0)).to.equal(true);
            else expect(prevLabeled.includes(id)).to.equal(false);
          });
          // KL histograms: ≥ 0, sum 1 (KL-to-labeled all zero before anything is labelled)
          info.candidateIds.forEach((id, i) => {
            if (id < 0) return;
            const row = pools[i]!;
            const klLab = row.slice(204, 236), klPool = row.slice(236, 268);
            expect(Math.min(...klLab, ...klPool)).to.be.at.least(0);
            expect(klPool.reduce((a, b) => a + b)).to.be.closeTo(1, 1e-5);
            expect(klLab.reduce((a, b) => a + b)).to.be.closeTo(prevLabeled.length === 0 ? 0 : 1, 1e-5);
          });
          const action = pickAction(obs.actionMask, K, N, choices[t % choices.length]!);
          const chosen = Array.from(action, (a, k) => info.candidateIds[k * N + a]!).filter((id) => id >= 0);
          const [o, reward, terminated, truncated, next] = await env.step(action);
          const labeled = Array.from(next.labeledRegionIds);
          // grows by exactly the chosen regions (up to the budget), never relabels, never exceeds the budget
          const expectedNew = chosen.slice(0, Math.max(0, 10 - prevLabeled.length));
          expect(labeled).to.deep.equal([...prevLabeled, ...expectedNew]);
          expect(new Set(labeled).size).to.equal(labeled.length);
          expect(next.usedRegions).to.be.at.most(10);
          expect(next.usedPixels).to.equal(next.usedRegions * 256);
          expect(terminated).to.equal(next.usedRegions >= 10);
          // masks = union of labelled regions
          const g = env.grid;
          tinyData().splits.d_t!.forEach((s, image) => {
            const mask = env.labelMask(image);
            for (let r = 0; r < g.perImage; r++) {
              const { y0, x0 } = regionOrigin(g, r);
              const isLabeled = labeled.includes(image * g.perImage + r);
              expect(mask[y0 * g.imageW + x0]).to.equal(isLabeled ? s.label[y0 * g.imageW + x0] : 11);
            }
          });
          // reward recomputed independently
          const mIoU = await independentMIoU(env);
          expect(next.rewardMIoU).to.be.closeTo(mIoU, 1e-9);
          expect(reward).to.be.closeTo(100 * (mIoU - prevMIoU), 1e-7);
          prevMIoU = mIoU;
          prevLabeled = labeled;
          obs = o;
          info = next;
          if (terminated || truncated) break;
        }
        env.close();
      }),
      { numRuns: 4 },
    );
  });

  it('same seed + same actions ⇒ identical obs, rewards, infos; different seeds ⇒ different pools', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1e6 }), choicesArb, async (seed, choices) => {
        const run = async (s: number) => {
          const env = tinyEnv();
          const trace: unknown[] = [];
          let [obs, info] = await env.reset({ seed: s });
          trace.push(snapshot([obs, info]));
          for (let t = 0; t < 3; t++) {
            const out = await env.step(pickAction(obs.actionMask, K, N, choices[t]!));
            trace.push(snapshot(out));
            obs = out[0];
          }
          env.close();
          return { trace, firstPools: Array.from(info.candidateIds) };
        };
        const [a, b, c] = [await run(seed), await run(seed), await run(seed + 1)];
        expect(firstDifference(a.trace, b.trace, 0)).to.equal(null); // tolerance 0: bitwise
        expect(a.firstPools).to.not.deep.equal(c.firstPools);
      }),
      { numRuns: 3 },
    );
  });

  it('invalid actions throw InvalidActionError naming pool and value, and leave the env unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom('length', 'negative', 'range', 'masked', 'type'), async (seed, kind) => {
        const env = tinyEnv({ budgetRegions: 24 });
        let [obs] = await env.reset({ seed });
        // walk to a state with padding so that a masked candidate exists
        while (obs.actionMask.every((m) => m === 1)) [obs] = await env.step(pickAction(obs.actionMask, K, N, [0, 0, 0]));
        const before = snapshot({ obs, labeled: env.labeledRegionIds, weights: (env.model as UNetLearner).params.layers.map((l) => l.kernel) });
        const good = pickAction(obs.actionMask, K, N, [0, 0, 0]);
        let bad: unknown;
        if (kind === 'length') bad = new Int32Array(K + 1);
        else if (kind === 'negative') bad = Int32Array.from(good, (v, i) => (i === 1 ? -2 : v));
        else if (kind === 'range') bad = Int32Array.from(good, (v, i) => (i === 2 ? N : v));
        else if (kind === 'type') bad = [0, 0, 0];
        else {
          const k = [0, 1, 2].find((p) => obs.actionMask.subarray(p * N, p * N + N).includes(0) && obs.actionMask.subarray(p * N, p * N + N).includes(1));
          if (k === undefined) { env.close(); return; } // only all-padding pools: nothing maskable to try
          bad = Int32Array.from(good, (v, i) => (i === k ? obs.actionMask.subarray(k * N, k * N + N).indexOf(0) : v));
        }
        let error: unknown;
        await env.step(bad as Int32Array).catch((e) => (error = e));
        expect(error).to.be.instanceOf(InvalidActionError);
        expect((error as Error).message).to.match(kind === 'length' ? /length 4, expected 3/ : kind === 'type' ? /Int32Array/ : /pool \d: index -?\d/);
        const after = snapshot({ obs, labeled: env.labeledRegionIds, weights: (env.model as UNetLearner).params.layers.map((l) => l.kernel) });
        expect(firstDifference(before, after, 0)).to.equal(null);
        env.close();
      }),
      { numRuns: 8 },
    );
  });

  it('no tensor leaks across steps and episodes; close is idempotent; step after the end or before reset throws', async () => {
    const before = tf.memory().numTensors;
    const env = tinyEnv({ statistics: ['bald'], mcPasses: 3 });
    let error: unknown;
    await env.step(new Int32Array(K)).catch((e) => (error = e));
    expect(error).to.be.instanceOf(ResetNeededError);
    for (let episode = 0; episode < 2; episode++) {
      let [obs] = await env.reset({ seed: episode });
      const perStep: number[] = [];
      for (let done = false; !done; ) {
        const out = await env.step(pickAction(obs.actionMask, K, N, [1, 2, 0]));
        obs = out[0];
        done = out[2] || out[3];
        perStep.push(tf.memory().numTensors);
        expect(out[4].candidates.bald).to.be.instanceOf(Float32Array);
      }
      expect(new Set(perStep).size).to.equal(1); // constant across steps
      error = undefined;
      await env.step(new Int32Array(K)).catch((e) => (error = e));
      expect(error).to.be.instanceOf(ResetNeededError);
    }
    env.close();
    env.close();
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('emits typed events and never prints', async () => {
    const env = tinyEnv({ budgetRegions: 3 });
    const events: ActiveSegEvent[] = [];
    env.events$.subscribe((e) => events.push(e));
    const log = console.log;
    let printed = 0;
    console.log = () => { printed++; };
    try {
      const [obs] = await env.reset({ seed: 1 });
      await env.step(pickAction(obs.actionMask, K, N, [0, 0, 0]));
    } finally {
      console.log = log;
    }
    env.close();
    expect(printed).to.equal(0);
    expect(events.map((e) => e.type)).to.deep.equal(['reset', 'train', 'eval', 'step']);
  });

  it('truncates when the pool runs out before the budget', async () => {
    const env = tinyEnv({ budgetRegions: 1000 }); // 4 images × 6 regions = 24 < 1000
    let [obs] = await env.reset({ seed: 2 });
    let last: [boolean, boolean] = [false, false];
    for (let t = 0; t < 20 && !last[0] && !last[1]; t++) {
      const out = await env.step(pickAction(obs.actionMask, K, N, [0, 1, 2]));
      obs = out[0];
      last = [out[2], out[3]];
    }
    expect(last).to.deep.equal([false, true]);
    expect(env.labeledRegionIds.length).to.equal(24);
    env.close();
  });

  it('rejects bad configuration with a message naming the value', () => {
    expect(() => tinyEnv({ poolsPerStep: 0 })).to.throw(ConfigError, /poolsPerStep must be a positive integer, got 0/);
    expect(() => tinyEnv({ regionHeight: 15 })).to.throw(ConfigError, /15×16 does not tile/);
    expect(() => tinyEnv({ poolSplit: 'd_v', data: { ...tinyData(), splits: { ...tinyData().splits, d_v: [] } } })).to.throw(ConfigError, /poolSplit 'd_v' is missing or empty/);
  });
});

describe('checkEnv (Gymnasium checker + region-AL checks)', function () {
  this.timeout(300000);
  it('passes every check on the tiny env, and a broken step fails the right check', async () => {
    const ok = await checkEnv(() => tinyEnv({ budgetRegions: 6 }), REGION_AL_CHECKS);
    expect(ok.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.message}`)).to.deep.equal([]);
    expect(ok).to.have.length(12);
    // an env whose reward is NaN fails 'step() returns …' with the value named
    const broken = () => {
      const env = tinyEnv({ budgetRegions: 6 });
      const step = env.step.bind(env);
      env.step = async (a) => {
        const out = await step(a);
        return [out[0], NaN, out[2], out[3], out[4]];
      };
      return env;
    };
    const bad = await checkEnv(broken, REGION_AL_CHECKS);
    const failed = bad.find((r) => r.name.startsWith('step() returns'))!;
    expect(failed.status).to.equal('fail');
    expect(failed.message).to.contain('reward is NaN');
  });
});
