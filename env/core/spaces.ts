/**
 * Spaces, as in Gymnasium: small objects that say which values are valid (`contains`) and draw a
 * valid one (`sample`, from an explicit Rng). Observations hold tfjs tensors, so `Box` checks tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.ts';

export interface Space<T> {
  readonly kind: string;
  contains(x: unknown): x is T;
  /** Why `x` is not in the space, or null when it is. */
  explain(x: unknown): string | null;
  sample(rng: Rng): T;
}

/**
 * float32 tensors of a fixed shape with bounds. `low`/`high` are scalars or one value per entry of
 * the last axis (feature-wise bounds). Entries must be finite unless a bound is infinite.
 */
export class Box<T extends tf.Tensor = tf.Tensor> implements Space<T> {
  readonly kind = 'Box';
  constructor(
    readonly shape: readonly number[],
    readonly low: number | Float32Array,
    readonly high: number | Float32Array,
  ) {
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`Box shape must be non-negative integers, got [${shape}]`);
    const last = shape[shape.length - 1] ?? 1;
    for (const b of [low, high]) if (typeof b !== 'number' && b.length !== last) throw new RangeError(`Box bound length ${b.length} must equal the last axis ${last}`);
  }

  private bound(b: number | Float32Array, i: number): number {
    return typeof b === 'number' ? b : b[i % b.length]!;
  }

  explain(x: unknown): string | null {
    if (!(x instanceof tf.Tensor)) return `expected a tf.Tensor, got ${typeof x}`;
    if (x.isDisposed) return 'the tensor is disposed';
    if (x.dtype !== 'float32') return `dtype ${x.dtype}, expected float32`;
    const shape = x.shape as number[];
    if (shape.length !== this.shape.length || shape.some((d, i) => d !== this.shape[i])) return `shape [${x.shape}], expected [${this.shape}]`;
    const v = x.dataSync();
    for (let i = 0; i < v.length; i++) {
      const lo = this.bound(this.low, i), hi = this.bound(this.high, i);
      if (Number.isNaN(v[i]!) || v[i]! < lo || v[i]! > hi) return `entry ${i} = ${v[i]} outside [${lo}, ${hi}]`;
    }
    return null;
  }

  contains(x: unknown): x is T {
    return this.explain(x) === null;
  }

  /** Uniform within finite bounds; exponential-ish draws where a bound is infinite. The caller owns the tensor. */
  sample(rng: Rng): T {
    const n = this.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const lo = this.bound(this.low, i), hi = this.bound(this.high, i);
      if (Number.isFinite(lo) && Number.isFinite(hi)) v[i] = lo + (hi - lo) * rng.next();
      else if (Number.isFinite(lo)) v[i] = lo - Math.log(1 - rng.next());
      else if (Number.isFinite(hi)) v[i] = hi + Math.log(1 - rng.next());
      else v[i] = rng.normal();
    }
    return tf.tensor(v, this.shape as number[], 'float32') as T;
  }
}

/** Int32Array of length nvec.length with entry i in [0, nvec[i]). Gymnasium's MultiDiscrete. */
export class MultiDiscrete implements Space<Int32Array> {
  readonly kind = 'MultiDiscrete';
  constructor(readonly nvec: readonly number[]) {
    if (nvec.length === 0 || nvec.some((n) => !Number.isInteger(n) || n <= 0)) throw new RangeError(`MultiDiscrete needs positive integer sizes, got [${nvec}]`);
  }

  explain(x: unknown): string | null {
    if (!(x instanceof Int32Array)) return `expected an Int32Array, got ${x?.constructor?.name ?? typeof x}`;
    if (x.length !== this.nvec.length) return `length ${x.length}, expected ${this.nvec.length}`;
    for (let i = 0; i < x.length; i++) if (x[i]! < 0 || x[i]! >= this.nvec[i]!) return `entry ${i} = ${x[i]}, expected 0..${this.nvec[i]! - 1}`;
    return null;
  }

  contains(x: unknown): x is Int32Array {
    return this.explain(x) === null;
  }

  /**
   * One uniform index per entry. With `mask` (flat, entry i's options at i·n .. i·n+n−1; 1 = allowed)
   * draws among allowed options; an entry with none allowed gets 0, as Gymnasium's Discrete does.
   */
  sample(rng: Rng, mask?: Uint8Array): Int32Array {
    const out = new Int32Array(this.nvec.length);
    let offset = 0;
    this.nvec.forEach((n, i) => {
      if (!mask) out[i] = rng.int(n);
      else {
        const allowed: number[] = [];
        for (let j = 0; j < n; j++) if (mask[offset + j]) allowed.push(j);
        out[i] = allowed.length ? allowed[rng.int(allowed.length)]! : 0;
      }
      offset += n;
    });
    return out;
  }
}

/** Uint8Array of 0/1 of a fixed length. */
export class MultiBinary implements Space<Uint8Array> {
  readonly kind = 'MultiBinary';
  constructor(readonly n: number) {}

  explain(x: unknown): string | null {
    if (!(x instanceof Uint8Array)) return `expected a Uint8Array, got ${x?.constructor?.name ?? typeof x}`;
    if (x.length !== this.n) return `length ${x.length}, expected ${this.n}`;
    for (let i = 0; i < x.length; i++) if (x[i]! > 1) return `entry ${i} = ${x[i]}, expected 0 or 1`;
    return null;
  }

  contains(x: unknown): x is Uint8Array {
    return this.explain(x) === null;
  }

  sample(rng: Rng): Uint8Array {
    return Uint8Array.from({ length: this.n }, () => rng.int(2));
  }
}

/** A record of named sub-spaces (Gymnasium's Dict). */
export class DictSpace<T extends object> implements Space<T> {
  readonly kind = 'Dict';
  constructor(readonly spaces: { [K in keyof T]: Space<T[K]> }) {
    if (Object.keys(spaces).length === 0) throw new RangeError('DictSpace needs at least one sub-space');
  }

  explain(x: unknown): string | null {
    if (typeof x !== 'object' || x === null) return `expected an object, got ${x === null ? 'null' : typeof x}`;
    const rec = x as Record<string, unknown>;
    const want = Object.keys(this.spaces).sort();
    const got = Object.keys(rec).sort();
    if (want.join() !== got.join()) return `keys {${got}}, expected {${want}}`;
    for (const k of want) {
      const why = (this.spaces as Record<string, Space<unknown>>)[k]!.explain(rec[k]);
      if (why) return `${k}: ${why}`;
    }
    return null;
  }

  contains(x: unknown): x is T {
    return this.explain(x) === null;
  }

  sample(rng: Rng): T {
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(this.spaces as Record<string, Space<unknown>>)) out[k] = s.sample(rng);
    return out as T;
  }
}
