/**
 * A trajectory's labelling decisions, saved after every step, so that a trajectory stopped mid-way
 * (a killed session, a requeued task) or extended to larger budgets later replays them instead of
 * asking its agent again. Replaying a logged step costs one env step; asking the agent costs its
 * `act` too, which for the oracle is ~40× a step. A benchmark agent's choice depends only on the
 * observation, the info and its action stream (frozen policies; the oracle's probes are undone
 * exactly), so the env after the replayed steps, and the action stream set back to its logged state,
 * are those of the run that wrote the log. Each replayed step's reward must equal the logged one to
 * the bit: any difference (other code, another engine, another kind of machine) is an ActionLogError,
 * never a silent mix. The log records the engines and the machine (compute/machine.ts) it was written
 * with, so the error can say which of them changed: with onnxruntime's kernels a log written on a CPU
 * of another kind (AVX-512 against AVX2, say) does not replay, and has to be replayed on one of its kind
 * or deleted.
 *
 * One JSON file per trajectory id, rewritten atomically after each step (temp file + rename): a kill
 * at any moment leaves the previous step's log or this one's, never a torn file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionLogError } from '../../../core/errors.ts';
import { writeFileAtomic } from '../../../core/fs.ts';

export interface LoggedStep {
  /** The action the agent returned (one candidate index per pool). */
  readonly action: readonly number[];
  /** The env's reward for it, the replay's check. */
  readonly reward: number;
  readonly usedRegions: number;
  /** Wall time of the agent's act and the env's step when it was taken: what the runs record as labelling time. */
  readonly ms: number;
}

export interface ActionLog {
  readonly schema: 1;
  readonly trajectory: string;
  readonly protocolHash: string;
  readonly agentId: string;
  readonly seed: number;
  readonly steps: readonly LoggedStep[];
  /** The agent's action stream (Rng state) after the last logged step. */
  readonly actRng: readonly [number, number, number, number];
  /** What wrote it (absent in logs from before it was recorded): compared when a replay differs. */
  readonly written?: LogProvenance;
}

/** The engines and the machine a log's rewards came from. */
export interface LogProvenance {
  readonly backend: string;
  readonly inference: string;
  readonly training: string;
  /** machineFingerprint(): architecture, CPU model and the vector extensions native kernels dispatch on. */
  readonly machine: string;
}

const ENGINE_KEYS = ['backend', 'inference', 'training'] as const;
const PROVENANCE_KEYS = [...ENGINE_KEYS, 'machine'] as const;

export type ActionLogKey = Pick<ActionLog, 'trajectory' | 'protocolHash' | 'agentId' | 'seed'>;

/** Where the bench keeps the action logs of a runs file: a folder beside it, one file per trajectory. */
export function actionLogFile(runsFile: string, trajectory: string): string {
  return join(`${runsFile}.actions`, `${trajectory}.json`);
}

/** The log at `file` (null when there is none); one of another trajectory or malformed is an ActionLogError naming the file. */
export function readActionLog(file: string, key: ActionLogKey): ActionLog | null {
  if (!existsSync(file)) return null;
  let log: ActionLog;
  try {
    log = JSON.parse(readFileSync(file, 'utf8')) as ActionLog;
  } catch (e) {
    throw new ActionLogError(`${file}: not a readable action log (${(e as Error).message}); delete it to label this trajectory from the start`);
  }
  if (log.schema !== 1 || !Array.isArray(log.steps) || !Array.isArray(log.actRng) || log.actRng.length !== 4) throw new ActionLogError(`${file}: not an action log of schema 1 (steps, actRng); delete it to label this trajectory from the start`);
  const w = log.written as Partial<Record<keyof LogProvenance, unknown>> | undefined;
  if (w !== undefined && (typeof w !== 'object' || w === null || !PROVENANCE_KEYS.every((k) => typeof w[k] === 'string'))) {
    throw new ActionLogError(`${file}: its "written" field is not {backend, inference, training, machine} strings; delete it to label this trajectory from the start`);
  }
  for (const k of ['trajectory', 'protocolHash', 'agentId', 'seed'] as const) {
    if (log[k] !== key[k]) throw new ActionLogError(`${file}: logged for ${k} ${JSON.stringify(log[k])}, but this trajectory has ${JSON.stringify(key[k])}`);
  }
  return log;
}

export function writeActionLog(file: string, log: ActionLog): void {
  writeFileAtomic(file, `${JSON.stringify(log)}\n`);
}

/**
 * Refuse a replayed step whose reward is not the logged one: the env is no longer the one that wrote
 * the log. `now` is this run's provenance; the message names what differs from the log's.
 */
export function checkReplayedStep(file: string, index: number, logged: LoggedStep, reward: number, usedRegions: number, written: LogProvenance | undefined, now: LogProvenance): void {
  if (reward !== logged.reward || usedRegions !== logged.usedRegions) {
    const why = whatChanged(written, now);
    const remedy = `${why.otherMachine ? 'replay it on a machine of the logged kind, or ' : ''}delete it to label this trajectory from the start`;
    throw new ActionLogError(`${file}: step ${index + 1} replayed to reward ${reward} with ${usedRegions} regions labelled, the log says ${logged.reward} with ${logged.usedRegions}: ${why.reason}; ${remedy}`);
  }
}

/** Why a replay can differ, from the provenance of the log and of this run. */
export function whatChanged(written: LogProvenance | undefined, now: LogProvenance): { reason: string; otherMachine: boolean } {
  if (!written) return { reason: `the log is older than provenance records, so the code, an engine or the machine changed since it was written (this run: ${describe(now)})`, otherMachine: false };
  const engines = ENGINE_KEYS.filter((k) => written[k] !== now[k]).map((k) => `${k} ${written[k]} then, ${now[k]} now`);
  if (engines.length) return { reason: `the engines changed (${engines.join('; ')})`, otherMachine: false };
  if (written.machine !== now.machine) {
    const native = now.inference === 'ort' || now.training === 'ort';
    return {
      reason: `the machine changed (written on ${written.machine}; replayed on ${now.machine})${native ? ", and onnxruntime's kernels pick their code path by the CPU's vector extensions, so their numbers differ in the last bits between kinds of machine" : ''}`,
      otherMachine: true,
    };
  }
  return { reason: `the code changed since it was written, or the log was edited (same engines, same kind of machine: ${describe(now)})`, otherMachine: false };
}

const describe = (p: LogProvenance) => `${p.backend} backend, ${p.inference} inference, ${p.training} training, ${p.machine}`;
