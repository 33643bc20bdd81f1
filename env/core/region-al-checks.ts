/**
 * The region active-learning promises checkEnv adds to Gymnasium's checks: invalid and masked actions
 * rejected with the env unchanged, the budget respected, no region labelled twice, the episode ending
 * with terminated or truncated and refusing further steps, a call into a busy env refused.
 */
import { ConcurrentCallError, InvalidActionError, ResetNeededError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { MultiDiscrete } from './spaces.ts';
import { firstDifference, snapshot, validAction, type EnvCheck } from './check-env.ts';

export const invalidActionsRejected: EnvCheck = {
  name: 'invalid actions throw InvalidActionError and leave the env unchanged',
  run: async ({ env, firstStep }) => {
    const [obs] = await env.reset({ seed: 123 });
    const good = validAction(env, obs, new Rng(123));
    const bad: Int32Array[] = [new Int32Array(good.length + 1), Int32Array.from(good, (v, i) => (i === 0 ? -1 : v))];
    if (env.actionSpace instanceof MultiDiscrete) bad.push(Int32Array.from(good, (v, i) => (i === 0 ? (env.actionSpace as MultiDiscrete).nvec[0]! : v)));
    const mask = (obs as { actionMask?: Uint8Array }).actionMask;
    if (mask && env.actionSpace instanceof MultiDiscrete) {
      const n = env.actionSpace.nvec[0]!;
      for (let k = 0; k < env.actionSpace.nvec.length; k++) {
        const pool = mask.subarray(k * n, (k + 1) * n);
        const padded = pool.indexOf(0);
        if (padded >= 0 && pool.includes(1)) {
          bad.push(Int32Array.from(good, (v, i) => (i === k ? padded : v)));
          break;
        }
      }
    }
    for (const a of bad) {
      try {
        await env.step(a);
        return `action [${Array.from(a)}] was accepted`;
      } catch (e) {
        if (!(e instanceof InvalidActionError)) return `action [${Array.from(a)}] threw ${(e as Error).name}, expected InvalidActionError`;
      }
    }
    if (env.spec?.nondeterministic) return null;
    const after = snapshot(await env.step(good));
    const d = firstDifference(firstStep, after);
    return d ? `after rejected actions the env behaves differently: ${d}` : null;
  },
};

export const busyCallRefused: EnvCheck = {
  name: 'a step while another call is in flight throws ConcurrentCallError',
  run: async ({ env }) => {
    const [obs] = await env.reset({ seed: 5 });
    const a = validAction(env, obs, new Rng(5));
    const first = env.step(a);
    try {
      await env.step(a);
      await first;
      return 'a second step() while the first was running was accepted';
    } catch (e) {
      await first;
      return e instanceof ConcurrentCallError ? null : `it threw ${(e as Error).name}, expected ConcurrentCallError`;
    }
  },
};

export const episodeRespectsBudget: EnvCheck = {
  name: 'an episode respects the budget and ends with terminated or truncated; step after the end throws',
  run: async ({ env }) => {
    const rng = new Rng(7);
    let [obs] = await env.reset({ seed: 7 });
    const maxSteps = env.spec?.maxEpisodeSteps ?? 1000;
    for (let t = 0; t <= maxSteps + 1; t++) {
      const [o, , term, trunc, info] = await env.step(validAction(env, obs, rng));
      const i = info as { usedRegions?: number; budgetRegions?: number; labeledRegionIds?: Int32Array };
      if (i.usedRegions !== undefined && i.budgetRegions !== undefined && i.usedRegions > i.budgetRegions) return `used ${i.usedRegions} regions of a budget of ${i.budgetRegions}`;
      if (i.labeledRegionIds && new Set(i.labeledRegionIds).size !== i.labeledRegionIds.length) return 'a region was labelled twice';
      obs = o;
      if (term || trunc) {
        try {
          await env.step(validAction(env, obs, rng));
          return 'step() after the episode ended did not throw';
        } catch (e) {
          return e instanceof ResetNeededError ? null : `step() after the end threw ${(e as Error).name}, expected ResetNeededError`;
        }
      }
    }
    return `no terminated/truncated within spec.maxEpisodeSteps = ${maxSteps} steps`;
  },
};

export const REGION_AL_CHECKS: readonly EnvCheck[] = [invalidActionsRejected, busyCallRefused, episodeRespectsBudget];
