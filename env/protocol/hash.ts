/**
 * Content identity of a protocol: a hash of its canonical JSON (keys sorted, learner defaults filled
 * in), without the fields that do not change what a run computes (`description`) or that every run
 * record carries itself (`seeds`, `budgets`). Per top-level field hashes say which field changed.
 */
import { createHash } from 'node:crypto';
import type { Protocol } from './schema.ts';

const NOT_HASHED = new Set(['description', 'seeds', 'budgets']);

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x && typeof x === 'object') {
    const entries = Object.entries(x as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(x);
}

export function shortHash(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Settings that change where things are kept, not what a run computes. */
function computed(p: Protocol): Protocol {
  if (!p.model || !('featureCache' in p.model)) return p;
  const { featureCache: _, ...model } = p.model;
  return { ...p, model: model as Protocol['model'] };
}

/** Hash of each hashed top-level field. */
export function protocolFieldHashes(p: Protocol): Record<string, string> {
  return Object.fromEntries(
    Object.entries(computed(p))
      .filter(([k, v]) => !NOT_HASHED.has(k) && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, shortHash(canonicalJson(v), 8)]),
  );
}

export function protocolHash(p: Protocol): string {
  return shortHash(canonicalJson(protocolFieldHashes(p)));
}

/** The top-level fields whose hashes differ between two field-hash maps. */
export function changedFields(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}
