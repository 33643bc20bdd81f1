/**
 * The environment contract: Gymnasium's (≥ 0.26) semantics in TypeScript.
 *
 * - `reset({seed, options})` starts an episode and returns `[observation, info]`. An integer seed
 *   reseeds every random draw of the env; without one the env continues its own seeded stream (the
 *   first reset without a seed uses the seed given at construction). Seed once, right after
 *   construction, for reproducible runs.
 * - `step(action)` returns `[observation, reward, terminated, truncated, info]`. `terminated`: the
 *   MDP reached a terminal state (here: the labelling budget is spent; do not bootstrap). `truncated`:
 *   an outside limit ended the episode (here: the pool has no unlabelled region left). After either,
 *   call `reset()`; a further `step` throws ResetNeededError.
 * - An invalid action throws InvalidActionError and leaves the env exactly as it was.
 * - `close()` releases resources and is idempotent.
 * - Same seed + same actions ⇒ identical observations, rewards and infos on the same backend.
 */
import type { Space } from './spaces.ts';

export interface ResetOptions {
  seed?: number;
  options?: Record<string, unknown>;
}

export type StepResult<Obs, Info> = [obs: Obs, reward: number, terminated: boolean, truncated: boolean, info: Info];

export interface EnvSpec {
  /** Versioned id, Gymnasium style: `Name-vN`. */
  readonly id: string;
  /** True when same seed + same actions may not reproduce (switches off checkEnv's determinism checks). */
  readonly nondeterministic: boolean;
  /** Upper bound on steps per episode, when known. */
  readonly maxEpisodeSteps?: number;
}

export interface Env<Obs, Act, Info> {
  readonly observationSpace: Space<Obs>;
  readonly actionSpace: Space<Act>;
  readonly spec?: EnvSpec;
  readonly metadata: { readonly renderModes: readonly string[] };
  reset(opts?: ResetOptions): Promise<[Obs, Info]>;
  step(action: Act): Promise<StepResult<Obs, Info>>;
  close(): void;
}
