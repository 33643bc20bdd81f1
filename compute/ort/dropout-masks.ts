/**
 * tf.dropout's multipliers, bit for bit, as plain arrays for BALD's MC passes on the native engine.
 * tf.dropout(x, rate, undefined, seed) multiplies x by floor(u + keep) / keep in float32, where u is
 * seedrandom's Alea (Baagoe) seeded with the seed's decimal string, stored as float32. Doing it here
 * skips three elementwise tfjs ops and a read back off the wasm heap per pass, and needs no tfjs, so
 * native-engine worker threads make their own. (Interleaving several seeds' streams in one loop was
 * measured: no faster.)
 */
const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

/** Baagoe's Mash: returns the hash of `data` in [0, 1) and the new state. */
function mash(data: string, n: number): [number, number] {
  for (let i = 0; i < data.length; i++) {
    n += data.charCodeAt(i);
    let h = 0.02519603282416938 * n;
    n = h >>> 0;
    h -= n;
    h *= n;
    n = h >>> 0;
    h -= n;
    n += h * 0x100000000;
  }
  return [(n >>> 0) * TWO_POW_MINUS_32, n];
}

/** Alea's initial state [s0, s1, s2, c] for a seed, as seedrandom derives it. */
function aleaState(seed: number): [number, number, number, number] {
  const key = seed.toString();
  let n = 0xefc8249d;
  const s: number[] = [];
  for (let i = 0; i < 3; i++) [s[i], n] = mash(' ', n);
  for (let i = 0; i < 3; i++) {
    let h: number;
    [h, n] = mash(key, n);
    s[i] = s[i]! - h;
    if (s[i]! < 0) s[i] = s[i]! + 1;
  }
  return [s[0]!, s[1]!, s[2]!, 1];
}

/** The `count` multipliers tf.dropout(x, rate, undefined, seed) applies to an x of `count` elements. */
export function dropoutMultiplier(seed: number, count: number, rate: number): Float32Array {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
  const keep = Math.fround(1 - rate);
  // floor(u + keep) is 0, 1 or (rounding up to 2.0) 2, divided by keep in float32 as tfjs does (a double
  // quotient rounded once to float32 is the correctly rounded float32 quotient)
  const table = [0, 1, 2].map((v) => Math.fround(v / keep));
  const out = new Float32Array(count);
  let [s0, s1, s2, c] = aleaState(seed);
  for (let i = 0; i < count; i++) {
    const t = 2091639 * s0 + c * TWO_POW_MINUS_32;
    s0 = s1;
    s1 = s2;
    c = t | 0;
    s2 = t - c;
    out[i] = table[Math.floor(Math.fround(Math.fround(s2) + keep))]!;
  }
  return out;
}
