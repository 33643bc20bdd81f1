/**
 * checkEnv: Gymnasium's env checker (gymnasium/utils/env_checker.py) ported to this contract, plus
 * checks of the region-AL promises. Each check reports pass / fail / warn with a message; nothing is
 * printed here (the CLI prints). Observations are copied to plain arrays as soon as they arrive,
 * since the env disposes its observation tensors on the next step or reset.
 */
import * as tf from '@tensorflow/tfjs';
import type { Env } from './env.ts';
import { ResetNeededError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { Box, DictSpace, MultiBinary, MultiDiscrete, type Space } from './spaces.ts';

export interface CheckResult {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'warn';
  readonly message: string;
}

/** Deep copy of an observation/info with tensors and typed arrays turned into plain number arrays. */
export function snapshot(x: unknown): unknown {
  if (x instanceof tf.Tensor) return { shape: x.shape, dtype: x.dtype, data: Array.from(x.dataSync()) };
  if (ArrayBuffer.isView(x)) return { typed: x.constructor.name, data: Array.from(x as unknown as ArrayLike<number>) };
  if (Array.isArray(x)) return x.map(snapshot);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, snapshot(v)]));
  return x;
}

/** Gymnasium's data_equivalence: same structure, numbers allclose (rtol = atol = tol). Returns the first difference. */
export function firstDifference(a: unknown, b: unknown, tol = 1e-5, path = ''): string | null {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) && Number.isNaN(b)) return null;
    return Math.abs(a - b) <= tol + tol * Math.abs(b) ? null : `${path || 'value'}: ${a} vs ${b}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], tol, `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return `${path}: keys {${ka}} vs {${kb}}`;
    for (const k of ka) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], tol, path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${path || 'value'}: ${String(a)} vs ${String(b)}`;
}

function checkSpace(space: Space<unknown> | undefined, what: string): string | null {
  if (!space) return `the env has no ${what}`;
  if (space instanceof MultiDiscrete) return space.nvec.every((n) => n > 0) ? null : `${what}: MultiDiscrete sizes must be > 0`;
  if (space instanceof Box) return space.shape.every((d) => d >= 0) ? null : `${what}: Box shape must be non-negative`;
  if (space instanceof MultiBinary) return space.n > 0 ? null : `${what}: MultiBinary size must be > 0`;
  if (space instanceof DictSpace) {
    for (const [k, s] of Object.entries(space.spaces as Record<string, Space<unknown>>)) {
      const why = checkSpace(s, `${what}.${k}`);
      if (why) return why;
    }
    return null;
  }
  return null;
}

export type AnyEnv = Env<unknown, Int32Array, unknown>;

/** A valid action: uniform over allowed candidates when the observation carries an actionMask. */
export function validAction(env: AnyEnv, obs: unknown, rng: Rng): Int32Array {
  const mask = (obs as { actionMask?: Uint8Array })?.actionMask;
  return env.actionSpace instanceof MultiDiscrete ? env.actionSpace.sample(rng, mask) : (env.actionSpace.sample(rng) as Int32Array);
}

/** What every check gets: the env under test, a way to make a fresh one, and the first step's snapshot. */
export interface CheckContext {
  readonly env: AnyEnv;
  readonly makeEnv: () => AnyEnv | Promise<AnyEnv>;
  /** Snapshot of the first step after reset(seed=123), once `stepReturns` has run. */
  firstStep: unknown;
  readonly tensorsBefore: number;
}

/** A named check: null = pass, a string = fail with that message, { warn } = a warning. */
export interface EnvCheck {
  readonly name: string;
  run(ctx: CheckContext): Promise<string | null | { warn: string }>;
}

export const actionSpaceWellFormed: EnvCheck = { name: 'action space is defined and well formed', run: async ({ env }) => checkSpace(env.actionSpace, 'actionSpace') };
export const observationSpaceWellFormed: EnvCheck = { name: 'observation space is defined and well formed', run: async ({ env }) => checkSpace(env.observationSpace, 'observationSpace') };

export const resetReturns: EnvCheck = {
  name: 'reset() returns [obs, info] with obs in the observation space and info an object',
  run: async ({ env }) => {
    const out = (await env.reset()) as unknown;
    if (!Array.isArray(out) || out.length !== 2) return `reset() returned ${Array.isArray(out) ? `${out.length} items` : typeof out}, expected [obs, info]`;
    const why = env.observationSpace.explain(out[0]);
    if (why) return `obs not in the observation space: ${why}`;
    return out[1] && typeof out[1] === 'object' ? null : `info is ${typeof out[1]}, expected an object`;
  },
};

export const resetSeeding: EnvCheck = {
  name: 'seeded reset is deterministic (seed=123, none, seed=123, none)',
  run: async ({ env }) => {
    const o1 = snapshot((await env.reset({ seed: 123 }))[0]);
    const o2 = snapshot((await env.reset())[0]);
    const o3 = snapshot((await env.reset({ seed: 123 }))[0]);
    const o4 = snapshot((await env.reset())[0]);
    if (env.spec?.nondeterministic) return { warn: 'spec.nondeterministic is set: determinism not checked' };
    const d13 = firstDifference(o1, o3);
    if (d13) return `reset(seed=123) twice gave different observations: ${d13}`;
    const d24 = firstDifference(o2, o4);
    if (d24) return `reset() after reset(seed=123) is not reproducible: ${d24}`;
    const [, i5] = await env.reset({ seed: 456 });
    const [, i6] = await env.reset({ seed: 123 });
    return firstDifference(snapshot(i5), snapshot(i6)) ? null : 'reset(seed=456) gave the same info as seed=123: the seed is ignored';
  },
};

export const resetOptions: EnvCheck = {
  name: 'reset accepts options',
  run: async ({ env }) => {
    await env.reset({ options: {} });
    return null;
  },
};

export const stepReturns: EnvCheck = {
  name: 'step() returns [obs, reward, terminated, truncated, info] of the right types',
  run: async (ctx) => {
    const { env } = ctx;
    const [obs] = await env.reset({ seed: 123 });
    const out = (await env.step(validAction(env, obs, new Rng(123)))) as unknown;
    if (!Array.isArray(out) || out.length !== 5) return `step() returned ${Array.isArray(out) ? `${out.length} items` : typeof out}, expected 5`;
    const [o, r, term, trunc, info] = out;
    const why = env.observationSpace.explain(o);
    if (why) return `obs not in the observation space: ${why}`;
    if (typeof r !== 'number' || !Number.isFinite(r)) return `reward is ${r}, expected a finite number`;
    if (typeof term !== 'boolean' || typeof trunc !== 'boolean') return `terminated/truncated are ${typeof term}/${typeof trunc}, expected booleans`;
    if (!info || typeof info !== 'object') return `info is ${typeof info}, expected an object`;
    ctx.firstStep = snapshot(out);
    return null;
  },
};

export const stepDeterminism: EnvCheck = {
  name: 'step is deterministic (same seed, same action)',
  run: async ({ env, firstStep }) => {
    if (env.spec?.nondeterministic) return { warn: 'spec.nondeterministic is set: determinism not checked' };
    const [obs] = await env.reset({ seed: 123 });
    const out = snapshot(await env.step(validAction(env, obs, new Rng(123)))) as unknown[];
    const d = firstDifference(firstStep, out);
    if (d) return `two identical steps differ: ${d}`;
    return out[3] === false ? null : 'truncated is true after one step';
  },
};

export const closeIdempotent: EnvCheck = {
  name: 'close() is idempotent and frees every tensor',
  run: async ({ env, makeEnv, tensorsBefore }) => {
    env.close();
    env.close();
    const fresh = await makeEnv();
    fresh.close();
    fresh.close();
    const leaked = tf.memory().numTensors - tensorsBefore;
    return leaked === 0 ? null : `${leaked} tensors more than before the env was made`;
  },
};

export const stepBeforeReset: EnvCheck = {
  name: 'step() before reset() throws ResetNeededError',
  run: async ({ makeEnv }) => {
    const fresh = await makeEnv();
    try {
      await fresh.step(fresh.actionSpace.sample(new Rng(0)));
      return 'it did not throw';
    } catch (e) {
      return e instanceof ResetNeededError ? null : `it threw ${(e as Error).name}`;
    } finally {
      fresh.close();
    }
  },
};

/** Gymnasium's env_checker, in order. */
export const GYMNASIUM_CHECKS: readonly EnvCheck[] = [actionSpaceWellFormed, observationSpaceWellFormed, resetReturns, resetSeeding, resetOptions, stepReturns, stepDeterminism];
/** Run after the others: they close the env. */
export const CLOSING_CHECKS: readonly EnvCheck[] = [closeIdempotent, stepBeforeReset];

/**
 * Run every check on envs made by `makeEnv` (a fresh env per closing check, as Gymnasium re-makes the
 * env for the close check): Gymnasium's, then `extra` (the region-AL checks, region-al-checks.ts),
 * then the closing ones. Async because reset and step are. Nothing is printed.
 */
export async function checkEnv(makeEnv: () => AnyEnv | Promise<AnyEnv>, extra: readonly EnvCheck[] = []): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const tensorsBefore = tf.memory().numTensors;
  const ctx: CheckContext = { env: await makeEnv(), makeEnv, firstStep: null, tensorsBefore };
  for (const check of [...GYMNASIUM_CHECKS, ...extra, ...CLOSING_CHECKS]) {
    try {
      const out = await check.run(ctx);
      if (out === null) results.push({ name: check.name, status: 'pass', message: '' });
      else if (typeof out === 'string') results.push({ name: check.name, status: 'fail', message: out });
      else results.push({ name: check.name, status: 'warn', message: out.warn });
    } catch (e) {
      results.push({ name: check.name, status: 'fail', message: `threw ${(e as Error).name}: ${(e as Error).message}` });
    }
  }
  return results;
}
