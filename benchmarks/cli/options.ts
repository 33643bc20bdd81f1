/** Parsers for CLI option values that fail with a message naming the flag and the value. */
import { InvalidArgumentError } from 'commander';

/** Largest value of a seed flag: seeds are 32-bit (the Rng's state is seeded from a uint32). */
export const SEED_MAX = 4294967295;

/** An integer flag in [min, max]; every flag has a bound, so a typo fails here and not deep inside a run. */
export function intOption(flag: string, min = 0, max = 1_000_000) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}, got '${v}'`);
    if (n > max) throw new InvalidArgumentError(`${flag} must be an integer ≤ ${max}, got '${v}'`);
    return n;
  };
}

export function floatOption(flag: string, lo: number, hi: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= lo || n > hi) throw new InvalidArgumentError(`${flag} must be a number in (${lo}, ${hi}], got '${v}'`);
    return n;
  };
}

export function choiceOption<T extends string>(flag: string, choices: readonly T[]) {
  return (v: string): T => {
    if (!(choices as readonly string[]).includes(v)) throw new InvalidArgumentError(`${flag} must be one of ${choices.join(', ')}, got '${v}'`);
    return v as T;
  };
}

/** Comma-separated integers ≥ min (≤ max): empty items and repeats are errors. */
export function intListOption(flag: string, min = 0, max = 4294967295) {
  return (v: string): number[] => {
    if (v.trim() === '') throw new InvalidArgumentError(`${flag} is empty: give a comma-separated list`);
    const items = v.split(',').map((s) => s.trim());
    const empty = items.findIndex((s) => s === '');
    if (empty >= 0) throw new InvalidArgumentError(`${flag} '${v}': item ${empty + 1} is empty`);
    const out = items.map((s) => {
      const n = Number(s);
      if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${flag} '${v}': '${s}' is not an integer in [${min}, ${max}]`);
      return n;
    });
    const dup = out.find((n, i) => out.indexOf(n) !== i);
    if (dup !== undefined) throw new InvalidArgumentError(`${flag} '${v}' lists ${dup} twice`);
    return out;
  };
}
