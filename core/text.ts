/** English for counts in messages and pages. */

/** A count with its noun, plural unless it is one (0 seeds, 1 seed, 2 seeds); `plural` for nouns that do not just add an s. */
export const counted = (n: number, noun: string, plural = `${noun}s`): string => `${n} ${n === 1 ? noun : plural}`;
