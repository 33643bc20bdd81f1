/**
 * Seeded pseudo-random number generator (sfc32, 128-bit state). Every random draw in regiongym comes
 * from an `Rng` passed down explicitly, never from the global unseeded generator. `fork(label)`
 * derives an independent stream so that adding draws in one component never shifts the numbers of
 * another.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`Rng seed must be an integer in [0, 2^32), got ${seed}`);
    }
    // splitmix32 expands the 32-bit seed into four well-mixed state words.
    let s = seed >>> 0;
    const mix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) {
      throw new RangeError(`Rng.int needs an integer bound in [1, 2^32], got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal draw (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A fresh seed for a tfjs op that takes one (initialisers, dropout). */
  seed(): number {
    return this.nextUint32();
  }

  /** In-place Fisher–Yates shuffle of an array or typed array; returns the same one. */
  shuffle<A extends { length: number; [i: number]: unknown }>(xs: A): A {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = xs[i] as A[number];
      xs[i] = xs[j] as A[number];
      xs[j] = t;
    }
    return xs;
  }

  /** A random permutation of 0..n-1 (the identity, shuffled: the same draws as shuffle). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** An independent stream derived from this one's seed path and a label; does not advance this stream. */
  fork(label: string): Rng {
    let h = 0x811c9dc5;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    const child = new Rng(0);
    child.a = (this.a ^ h) >>> 0;
    child.b = (this.b + Math.imul(h, 0x9e3779b9)) >>> 0;
    child.c = (this.c ^ Math.imul(h, 0x85ebca6b)) >>> 0;
    child.d = (this.d ^ 0x5bd1e995) >>> 0;
    for (let i = 0; i < 12; i++) child.nextUint32();
    return child;
  }

  /** Snapshot of the generator state (for determinism checks and checkpoints). */
  getState(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }

  setState(state: readonly [number, number, number, number]): void {
    [this.a, this.b, this.c, this.d] = state;
  }
}
