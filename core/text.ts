/** English for counts in messages and pages. */

/** A count with its noun, plural unless it is one (0 seeds, 1 seed, 2 seeds). */
export const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
