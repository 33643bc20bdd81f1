/**
 * Replay buffer of pool-level transitions (docs/method.md §6.4): a ring of `capacity` entries, sampled
 * uniformly without replacement (the paper's code) or proportionally to priority with importance
 * weights (Schaul et al. 2016; the paper's text). Entries hold plain typed arrays; the state of a step
 * is one array shared by that step's K entries.
 */
import type { Rng } from '../../core/rng.ts';

export interface PoolTransition {
  /** Candidate features of pool k at t, [N·D]. */
  readonly pool: Float32Array;
  /** State features at t, [R_S·F_s] (shared by the step's K entries). */
  readonly state: Float32Array;
  readonly action: number;
  readonly reward: number;
  /** Pool k at t+1, its mask and the state at t+1; null when terminal. */
  readonly next: { pool: Float32Array; mask: Uint8Array; state: Float32Array } | null;
}

export interface Sampled {
  readonly indices: number[];
  readonly items: PoolTransition[];
  /** Importance weights (all 1 for uniform replay). */
  readonly weights: Float32Array;
}

/** A buffer's exact contents: entries in slot order (not age order, so sampling indices stay the same), with priorities. */
export interface ReplaySnapshot {
  readonly items: readonly PoolTransition[];
  readonly priorities: Float64Array;
  readonly nextSlot: number;
  readonly maxPriority: number;
}

export class ReplayBuffer {
  private readonly items: PoolTransition[] = [];
  private readonly priorities: Float64Array;
  private nextSlot = 0;
  private maxPriority = 1;

  constructor(
    readonly capacity: number,
    readonly mode: 'uniform' | 'prioritized' = 'uniform',
    readonly alpha = 0.6,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`replay capacity must be a positive integer, got ${capacity}`);
    this.priorities = new Float64Array(capacity);
  }

  get size(): number {
    return this.items.length;
  }

  /** Add one transition; when full it overwrites the oldest (ring order). New entries get the max priority. */
  push(t: PoolTransition): void {
    if (this.items.length < this.capacity) this.items.push(t);
    else this.items[this.nextSlot] = t;
    this.priorities[this.nextSlot] = this.maxPriority;
    this.nextSlot = (this.nextSlot + 1) % this.capacity;
  }

  /** Entries oldest first (for tests and checkpoints). */
  ordered(): PoolTransition[] {
    return this.items.length < this.capacity ? this.items.slice() : [...this.items.slice(this.nextSlot), ...this.items.slice(0, this.nextSlot)];
  }

  /** The exact state, for a checkpoint that resumes bit for bit. Entries are shared, not copied (they are never mutated). */
  snapshot(): ReplaySnapshot {
    return { items: this.items.slice(), priorities: this.priorities.slice(0, this.items.length), nextSlot: this.nextSlot, maxPriority: this.maxPriority };
  }

  /** Replace the contents by a snapshot of a buffer of the same capacity. */
  restore(s: ReplaySnapshot): void {
    const n = s.items.length;
    if (n > this.capacity || s.priorities.length !== n || !Number.isInteger(s.nextSlot) || s.nextSlot < 0 || s.nextSlot >= this.capacity || (n < this.capacity && s.nextSlot !== n % this.capacity)) {
      throw new RangeError(`replay snapshot of ${n} entries (${s.priorities.length} priorities, next slot ${s.nextSlot}) does not fit a buffer of capacity ${this.capacity}`);
    }
    this.items.length = 0;
    this.items.push(...s.items);
    this.priorities.fill(0);
    this.priorities.set(s.priorities);
    this.nextSlot = s.nextSlot;
    this.maxPriority = s.maxPriority;
  }

  /** Probability of sampling entry i under prioritized replay: p_i^α / Σ p^α. */
  probabilities(): Float64Array {
    const n = this.items.length;
    const p = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += p[i] = this.priorities[i]! ** this.alpha;
    for (let i = 0; i < n; i++) p[i]! /= total;
    return p;
  }

  /**
   * Draw `batch` distinct entries. Prioritized: sequential draws proportional to priority without
   * replacement; weights w_i = (n·P(i))^−β / max w.
   */
  sample(batch: number, rng: Rng, beta = 0.4): Sampled {
    const n = this.items.length;
    if (batch > n) throw new RangeError(`cannot sample ${batch} transitions from a buffer of ${n}`);
    let indices: number[];
    const weights = new Float32Array(batch).fill(1);
    if (this.mode === 'uniform') {
      indices = Array.from(rng.permutation(n).slice(0, batch));
    } else {
      const p = this.probabilities();
      const left = Float64Array.from(p);
      indices = [];
      for (let b = 0; b < batch; b++) {
        let total = 0;
        for (let i = 0; i < n; i++) total += left[i]!;
        let u = rng.next() * total;
        let pick = n - 1;
        for (let i = 0; i < n; i++) {
          u -= left[i]!;
          if (u < 0 && left[i]! > 0) {
            pick = i;
            break;
          }
        }
        indices.push(pick);
        left[pick] = 0;
      }
      const raw = indices.map((i) => (n * p[i]!) ** -beta);
      const max = Math.max(...raw);
      raw.forEach((w, b) => (weights[b] = w / max));
    }
    return { indices, items: indices.map((i) => this.items[i]!), weights };
  }

  /** New priorities |δ| + ε for sampled entries (prioritized mode). */
  updatePriorities(indices: readonly number[], tdErrors: ArrayLike<number>, eps = 1e-3): void {
    indices.forEach((i, b) => {
      const p = Math.abs(tdErrors[b]!) + eps;
      this.priorities[i] = p;
      this.maxPriority = Math.max(this.maxPriority, p);
    });
  }
}
