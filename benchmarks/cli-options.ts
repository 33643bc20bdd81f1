/** Parsers for CLI option values that fail with a message naming the flag and the value. */
import { InvalidArgumentError } from 'commander';

export function intOption(flag: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}, got '${v}'`);
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

export function intListOption(flag: string) {
  return (v: string): number[] => v.split(',').map((s) => intOption(flag)(s.trim()));
}
