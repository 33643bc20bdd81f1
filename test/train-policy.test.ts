import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DQN_DEFAULTS } from '../agents/dqn/config.ts';
import { decodeTrainingState, encodeTrainingState, type DqnTrainingState } from '../agents/dqn/training-state.ts';
import type { PoolTransition } from '../agents/dqn/replay.ts';
import { loadProtocol, type Protocol } from '../env/protocol/load.ts';
import { protocolHash } from '../env/protocol/hash.ts';
import { DataError } from '../core/errors.ts';
import { TRAINING_STATE_FILE, trainPolicy, type TrainingRecord } from '../agents/dqn/train-policy.ts';
import { tempDir } from './helpers.ts';

/** synthetic-quick shrunk to seconds per episode: 3 pools of 3 candidates, 2 steps of labelling. */
function tinyProtocol(): Protocol {
  const p = loadProtocol('synthetic-quick');
  return {
    ...p, name: 'tiny-policy', data: { name: 'synthetic', scale: 0.1, synthetic: { seed: 1, counts: { d_t: 3, d_s: 1, d_v: 4, val: 2, test: 2 } } },
    poolsPerStep: 3, poolSize: { policy: 3, eval: 3 }, budgets: [6, 12], policyBudget: 6, seeds: [1],
    segmentation: { ...p.segmentation, crop: 16, batchSize: 4 }, initialModel: { evaluation: 'scratch', pretrainEpochs: 0 }, finalTraining: { epochs: 2, patience: 2 },
  };
}

const withoutTimes = (r: TrainingRecord) => ({
  ...r,
  resumes: undefined,
  history: r.history.map(({ ms: _, ...h }) => h),
  validation: r.validation.map(({ ms: _, ...v }) => v),
  best: r.best && { ...r.best, ms: 0 },
});
const bytesOf = (dir: string) => readFileSync(join(dir, 'weights.bin'));

describe('train-policy', function () {
  this.timeout(240_000);
  // the replay buffer fills past capacity so the ring wraps before the resume point
  const dqn = { replayCapacity: 10, batchSize: 4, replay: 'prioritized' as const };

  it('a run stopped after 2 episodes and resumed is bit for bit the run that never stopped', async () => {
    const straight = tempDir('tp-straight-');
    const stopped = tempDir('tp-stopped-');
    const opts = { seed: 3, validateEvery: 2, dqn, cacheDir: null };
    const whole = await trainPolicy(tinyProtocol(), { ...opts, episodes: 3, outDir: straight });
    await trainPolicy(tinyProtocol(), { ...opts, episodes: 2, outDir: stopped });
    const resumed = await trainPolicy(tinyProtocol(), { ...opts, episodes: 3, outDir: stopped, resume: true });
    expect(resumed.resumes).to.deep.equal([{ afterEpisodes: 2, exact: true }]);
    expect(whole.references!.map((r) => r.agent)).to.deep.equal(['random', 'entropy']);
    for (const r of whole.references!) expect(r.rewardMIoU).to.be.within(0, 1);
    for (const h of whole.history) expect(h.meanLoss).to.be.a('number').and.satisfy(Number.isFinite);
    expect(withoutTimes(resumed)).to.deep.equal(withoutTimes(whole));
    expect(bytesOf(join(stopped, 'policy')).equals(bytesOf(join(straight, 'policy')))).to.equal(true);
    expect(bytesOf(join(stopped, 'best')).equals(bytesOf(join(straight, 'best')))).to.equal(true);
    const { state } = decodeTrainingState(readFileSync(join(stopped, TRAINING_STATE_FILE)), 'x');
    expect(state.replay.items.length).to.equal(10);
    rmSync(straight, { recursive: true, force: true });
    rmSync(stopped, { recursive: true, force: true });
  });

  it('a renamed protocol resumes from its training state under the new name (the state file keeps the old one)', async () => {
    const dir = tempDir('tp-renamed-');
    const opts = { seed: 5, validateEvery: 0, dqn, cacheDir: null };
    await trainPolicy(tinyProtocol(), { ...opts, episodes: 1, outDir: dir });
    // what scripts/rename-protocol.ts does to a training record
    const renamed = { ...tinyProtocol(), name: 'tiny-policy-renamed' };
    const file = join(dir, 'training.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), protocol: renamed.name, protocolHash: protocolHash(renamed) }, null, 1));
    const r = await trainPolicy(renamed, { ...opts, episodes: 2, outDir: dir, resume: true });
    expect(r.resumes).to.deep.equal([{ afterEpisodes: 1, exact: true }]);
    expect([r.protocol, r.protocolHash]).to.deep.equal([renamed.name, protocolHash(renamed)]);
    expect(JSON.parse(readFileSync(file, 'utf8')).protocol).to.equal(renamed.name);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a directory without the training state resumes from policy/ and its record says the buffer was lost', async () => {
    const dir = tempDir('tp-legacy-');
    const opts = { seed: 4, validateEvery: 0, dqn, cacheDir: null };
    await trainPolicy(tinyProtocol(), { ...opts, episodes: 1, outDir: dir });
    rmSync(join(dir, TRAINING_STATE_FILE));
    const before = tf.memory().numTensors;
    const r = await trainPolicy(tinyProtocol(), { ...opts, episodes: 2, outDir: dir, resume: true });
    expect(r.history.map((h) => h.episode)).to.deep.equal([1, 2]);
    expect(r.resumes).to.deep.equal([{ afterEpisodes: 1, exact: false }]);
    await trainPolicy(tinyProtocol(), { ...opts, dqn: { ...dqn, lrDecayPerStep: 0.97 }, episodes: 3, outDir: dir, resume: true }).then(
      () => expect.fail('resumed with another lr decay'),
      (e: Error) => expect(e.message).to.match(/was trained with lrDecayPerStep = 1, not 0\.97: resume with the same setting \(--lr-decay 1\)/),
    );
    expect(tf.memory().numTensors).to.equal(before);
    rmSync(dir, { recursive: true, force: true });
  });

  it('validation over 2 episodes averages them, keeps the first seed of 1-episode runs, picks by the mean and leaves training untouched', async () => {
    const one = tempDir('tp-val1-');
    const two = tempDir('tp-val2-');
    const opts = { seed: 5, validateEvery: 1, episodes: 2, dqn, cacheDir: null };
    const single = await trainPolicy(tinyProtocol(), { ...opts, outDir: one });
    const double = await trainPolicy(tinyProtocol(), { ...opts, validateEpisodes: 2, outDir: two });
    expect(single.validationEpisodes).to.equal(undefined);
    expect(double.validationEpisodes).to.equal(2);
    for (const [i, v] of double.validation.entries()) {
      expect(v.perEpisode).to.have.length(2);
      expect(v.rewardMIoU).to.be.closeTo((v.perEpisode![0]! + v.perEpisode![1]!) / 2, 1e-12);
      expect(v.perEpisode![0]).to.equal(single.validation[i]!.rewardMIoU);
    }
    for (const r of double.references!) expect(r.perEpisode).to.have.length(2);
    expect(double.best!.rewardMIoU).to.equal(Math.max(...double.validation.map((v) => v.rewardMIoU)));
    const { validationEpisodes: _, ...doubleTraining } = double;
    expect(withoutTimes({ ...doubleTraining, validation: [], best: null, references: [] })).to.deep.equal(withoutTimes({ ...single, validation: [], best: null, references: [] }));
    expect(bytesOf(join(two, 'policy')).equals(bytesOf(join(one, 'policy')))).to.equal(true);
    await trainPolicy(tinyProtocol(), { ...opts, episodes: 3, outDir: two, resume: true }).then(
      () => expect.fail('resumed with another number of validation episodes'),
      (e: Error) => expect(e.message).to.match(/validated over 2 episode\(s\) per point, not 1: resume with --validate-episodes 2/),
    );
    rmSync(one, { recursive: true, force: true });
    rmSync(two, { recursive: true, force: true });
  });
});

describe('DQN training state file', () => {
  const S = 6; // state length
  const P = 8; // pool length (N·D)
  const N = 4;
  const arb = fc.array(fc.record({ terminal: fc.boolean(), shareState: fc.boolean(), action: fc.nat(N - 1), reward: fc.double({ noNaN: true, min: -100, max: 100 }) }), { maxLength: 12 });

  it('decode(encode(state)) gives back every transition, priority, shared state and counter', () => {
    fc.assert(fc.property(arb, fc.nat(1000), (spec, salt) => {
      let x = salt;
      const floats = (n: number) => Float32Array.from({ length: n }, () => (x = (x * 9301 + 49297) % 233280) / 233280);
      let shared = floats(S);
      const items: PoolTransition[] = spec.map((t) => {
        if (!t.shareState) shared = floats(S);
        return { pool: floats(P), state: shared, action: t.action, reward: t.reward, next: t.terminal ? null : { pool: floats(P), mask: Uint8Array.from({ length: N }, (_, i) => (i + t.action) % 2), state: floats(S) } };
      });
      const state: DqnTrainingState = {
        shape: { stateRegions: 2, stateFeatures: 3, actionFeatures: 2 },
        config: DQN_DEFAULTS,
        counters: { actions: 7, updates: 3, lr: 0.5, lastLoss: null },
        policy: [{ name: 'a/w', shape: [2, 3], data: floats(6) }],
        velocity: [floats(6)],
        replay: { items, priorities: Float64Array.from(items, (_, i) => i + 0.25), nextSlot: items.length % 12, maxPriority: 9 },
        learnRng: [1, 2, 3, 4],
      };
      const back = decodeTrainingState(encodeTrainingState(state, { note: 'x' }), 'f');
      expect(back.meta).to.deep.equal({ note: 'x' });
      expect(back.state).to.deep.equal(state);
      // a step's shared state stays one array after the round trip
      back.state.replay.items.forEach((t, i) => {
        if (i > 0 && spec[i]!.shareState) expect(t.state).to.equal(back.state.replay.items[i - 1]!.state);
      });
    }), { numRuns: 50 });
  });

  it('a truncated or foreign file is a DataError naming it', () => {
    const good = encodeTrainingState({ shape: { stateRegions: 1, stateFeatures: 1, actionFeatures: 1 }, config: DQN_DEFAULTS, counters: { actions: 0, updates: 0, lr: 1, lastLoss: null }, policy: [{ name: 'w', shape: [4], data: new Float32Array(4) }], velocity: [], replay: { items: [], priorities: new Float64Array(0), nextSlot: 0, maxPriority: 1 }, learnRng: [1, 2, 3, 4] }, {});
    expect(() => decodeTrainingState(new TextEncoder().encode('{"not": "it"}'), 'run/training-state.bin')).to.throw(DataError, /run\/training-state\.bin: does not start with/);
    expect(() => decodeTrainingState(good.subarray(0, good.length - 8), 'run/training-state.bin')).to.throw(DataError, /ends at byte \d+, past the file's \d+/);
  });
});
