/**
 * The whole learning state of a DQN in training, as one file: policy weights and BatchNorm statistics,
 * SGD momentum, the replay buffer in slot order with its priorities, counters, and the states of the
 * random streams (the agent's and any the caller adds). `train-policy` writes it atomically after every
 * episode, so a stopped run resumes bit for bit as if it had never stopped; the policy/ checkpoint alone
 * (what `bench` loads) would restart with an empty buffer and zero momentum.
 *
 * The target net is not stored: it is overwritten by the policy at the first step of every episode
 * (target sync at episode steps 0, 5, 10, …) before any update reads it.
 *
 * Layout: magic, u32 header length, JSON header, zero padding to 8 bytes, then the arrays the header
 * lists (each 8-byte aligned). Transitions are packed into a few large arrays (pools, next pools,
 * masks, deduplicated states) so the header stays small and reading is a handful of copies.
 */
import { DataError } from '../../core/errors.ts';
import type { DqnConfig } from './config.ts';
import type { QNetShape } from './q-network.ts';
import type { PoolTransition, ReplaySnapshot } from './replay.ts';

export type RngState = [number, number, number, number];

export interface DqnTrainingState {
  shape: QNetShape;
  config: DqnConfig;
  counters: { actions: number; updates: number; lr: number; lastLoss: number | null };
  /** Policy tensors by name (weights and BatchNorm statistics), in QNetwork.tensors() order. */
  policy: { name: string; shape: number[]; data: Float32Array }[];
  /** SGD momentum buffers, one per trainable variable, in optimizer order. */
  velocity: Float32Array[];
  replay: ReplaySnapshot;
  learnRng: RngState;
}

const MAGIC = 'RGDQNTS1';
type Dtype = 'float32' | 'float64' | 'int32' | 'uint8';
type Typed = Float32Array | Float64Array | Int32Array | Uint8Array;
interface ArrayEntry {
  name: string;
  dtype: Dtype;
  offset: number;
  length: number;
}
interface Header {
  meta: Record<string, unknown>;
  shape: QNetShape;
  config: DqnConfig;
  counters: DqnTrainingState['counters'];
  policy: { name: string; shape: number[] }[];
  velocityCount: number;
  replay: { count: number; withNext: number; poolLength: number; stateLength: number; nextSlot: number; maxPriority: number };
  learnRng: RngState;
  arrays: ArrayEntry[];
}

const CTORS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array } as const;
const dtypeOf = (a: Typed): Dtype => (a instanceof Float32Array ? 'float32' : a instanceof Float64Array ? 'float64' : a instanceof Int32Array ? 'int32' : 'uint8');
const align8 = (n: number) => Math.ceil(n / 8) * 8;

function concat<T extends Float32Array | Uint8Array>(parts: readonly T[], length: number, Ctor: new (n: number) => T): T {
  const out = new Ctor(parts.length * length);
  parts.forEach((p, i) => out.set(p, i * length));
  return out;
}

/** Serialize a training state with caller metadata (JSON-able) into one buffer. */
export function encodeTrainingState(state: DqnTrainingState, meta: Record<string, unknown>): Uint8Array {
  const items = state.replay.items;
  // states are shared by a step's K entries: store each distinct array once
  const stateIndex = new Map<Float32Array, number>();
  const states: Float32Array[] = [];
  const indexOf = (s: Float32Array) => {
    let i = stateIndex.get(s);
    if (i === undefined) stateIndex.set(s, (i = states.push(s) - 1));
    return i;
  };
  const withNext = items.filter((t) => t.next !== null);
  const table = new Int32Array(items.length * 4); // state, action, next state (−1: terminal), row in next arrays
  let row = 0;
  items.forEach((t, i) => {
    table.set([indexOf(t.state), t.action, t.next ? indexOf(t.next.state) : -1, t.next ? row++ : -1], i * 4);
  });
  const poolLength = items[0]?.pool.length ?? 0;
  const stateLength = items[0]?.state.length ?? 0;
  const arrays: [string, Typed][] = [
    ...state.policy.map((p): [string, Typed] => [`policy/${p.name}`, p.data]),
    ...state.velocity.map((v, i): [string, Typed] => [`velocity/${i}`, v]),
    ['replay/table', table],
    ['replay/rewards', Float64Array.from(items, (t) => t.reward)],
    ['replay/priorities', state.replay.priorities],
    ['replay/pools', concat(items.map((t) => t.pool), poolLength, Float32Array)],
    ['replay/nextPools', concat(withNext.map((t) => t.next!.pool), poolLength, Float32Array)],
    ['replay/nextMasks', concat(withNext.map((t) => t.next!.mask), withNext[0]?.next!.mask.length ?? 0, Uint8Array)],
    ['replay/states', concat(states, stateLength, Float32Array)],
  ];
  let offset = 0;
  const entries = arrays.map(([name, a]) => {
    const e = { name, dtype: dtypeOf(a), offset, length: a.length };
    offset = align8(offset + a.byteLength);
    return e;
  });
  const header: Header = {
    meta, shape: state.shape, config: state.config, counters: state.counters,
    policy: state.policy.map(({ name, shape }) => ({ name, shape })),
    velocityCount: state.velocity.length,
    replay: { count: items.length, withNext: withNext.length, poolLength, stateLength, nextSlot: state.replay.nextSlot, maxPriority: state.replay.maxPriority },
    learnRng: state.learnRng,
    arrays: entries,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = align8(MAGIC.length + 4 + json.length);
  const out = new Uint8Array(start + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  arrays.forEach(([, a], i) => out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), start + entries[i]!.offset));
  return out;
}

/** Parse a buffer written by encodeTrainingState; `path` names the file in errors. */
export function decodeTrainingState(bytes: Uint8Array, path: string): { state: DqnTrainingState; meta: Record<string, unknown> } {
  const bad = (why: string) => new DataError(`${path}: ${why} (not a training state written by 'regiongym train-policy'; remove it to resume from policy/ with an empty replay buffer)`);
  if (bytes.length < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) throw bad(`does not start with ${MAGIC}`);
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + jsonLength)));
  } catch (e) {
    throw bad(`header is not JSON (${(e as Error).message})`);
  }
  const start = align8(MAGIC.length + 4 + jsonLength);
  const byName = new Map(header.arrays.map((e) => [e.name, e]));
  const get = <D extends Dtype>(name: string, dtype: D): InstanceType<(typeof CTORS)[D]> => {
    const e = byName.get(name);
    if (!e || e.dtype !== dtype) throw bad(`no ${dtype} array '${name}'`);
    const Ctor = CTORS[dtype];
    const end = start + e.offset + e.length * Ctor.BYTES_PER_ELEMENT;
    if (end > bytes.length) throw bad(`array '${name}' ends at byte ${end}, past the file's ${bytes.length}`);
    // copy out (a Node Buffer's slice() is a view): the arrays outlive the file buffer and need their own alignment
    const own = new Uint8Array(end - start - e.offset);
    own.set(bytes.subarray(start + e.offset, end));
    return new Ctor(own.buffer) as InstanceType<(typeof CTORS)[D]>;
  };
  const r = header.replay;
  const table = get('replay/table', 'int32');
  const rewards = get('replay/rewards', 'float64');
  const pools = get('replay/pools', 'float32');
  const nextPools = get('replay/nextPools', 'float32');
  const nextMasks = get('replay/nextMasks', 'uint8');
  const statesFlat = get('replay/states', 'float32');
  if (table.length !== r.count * 4 || rewards.length !== r.count || pools.length !== r.count * r.poolLength || nextPools.length !== r.withNext * r.poolLength) throw bad(`replay arrays do not match its ${r.count} entries`);
  const maskLength = r.withNext ? nextMasks.length / r.withNext : 0;
  const stateCount = r.stateLength ? statesFlat.length / r.stateLength : 0;
  const states = Array.from({ length: stateCount }, (_, i) => statesFlat.subarray(i * r.stateLength, (i + 1) * r.stateLength));
  const stateAt = (i: number) => {
    const s = states[i];
    if (!s) throw bad(`replay entry names state ${i} of ${stateCount}`);
    return s;
  };
  const items: PoolTransition[] = Array.from({ length: r.count }, (_, i) => {
    const [s, action, ns, row] = table.subarray(i * 4, i * 4 + 4) as unknown as [number, number, number, number];
    return {
      pool: pools.subarray(i * r.poolLength, (i + 1) * r.poolLength),
      state: stateAt(s),
      action,
      reward: rewards[i]!,
      next: ns < 0 ? null : { pool: nextPools.subarray(row * r.poolLength, (row + 1) * r.poolLength), mask: nextMasks.subarray(row * maskLength, (row + 1) * maskLength), state: stateAt(ns) },
    };
  });
  return {
    meta: header.meta,
    state: {
      shape: header.shape,
      config: header.config,
      counters: header.counters,
      policy: header.policy.map(({ name, shape }) => ({ name, shape, data: get(`policy/${name}`, 'float32') })),
      velocity: Array.from({ length: header.velocityCount }, (_, i) => get(`velocity/${i}`, 'float32')),
      replay: { items, priorities: get('replay/priorities', 'float64'), nextSlot: r.nextSlot, maxPriority: r.maxPriority },
      learnRng: header.learnRng,
    },
  };
}
