/**
 * Typed errors. Every message names the offending value and what was expected, so a user can fix
 * the call without reading the source.
 */
export class RegionGymError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A step's action is malformed, out of range or picks a masked candidate. The env is unchanged. */
export class InvalidActionError extends RegionGymError {}

/** `step` was called before `reset` or after the episode ended. */
export class ResetNeededError extends RegionGymError {}

/** A configuration value (protocol field, option, CLI flag) is not allowed. */
export class ConfigError extends RegionGymError {}

/** A data file is missing, unreadable or malformed; the message names the file. */
export class DataError extends RegionGymError {}

/** The requested compute backend cannot be loaded on this machine. */
export class BackendError extends RegionGymError {}

/** `reset`/`step` was called while another call on the same env was still running. The env is unchanged. */
export class ConcurrentCallError extends RegionGymError {}

/** A cached feature file is truncated, of the wrong size or corrupt; the message names the file. */
export class FeatureCacheError extends RegionGymError {}

/** A trajectory's action log is malformed, belongs to another trajectory, or no longer replays to the rewards it logged; the message names the file. */
export class ActionLogError extends RegionGymError {}

/** Work stopped at a safe point because its caller asked (another worker failed, the bench was stopped); not a failure of its own. */
export class StopRequestedError extends RegionGymError {}

/** An error as it crosses a thread (structured clone drops the class). */
export interface WireError {
  readonly name: string;
  readonly message: string;
  /** A Node system error's code (ENOSPC, EROFS, EACCES …): the command line tells a user's file problem by it. */
  readonly code?: string;
}

export function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? { name: e.name, message: e.message, code } : { name: e.name, message: e.message };
}

const TYPED = new Map<string, new (message: string) => RegionGymError>(Object.entries({ InvalidActionError, ResetNeededError, ConfigError, DataError, BackendError, ConcurrentCallError, FeatureCacheError, ActionLogError, StopRequestedError }));

/** The error back with its class (a RegionGymError subclass when it was one) and its system code. */
export function fromWire(w: WireError, context = ''): Error {
  const Cls = TYPED.get(w.name);
  const message = context ? `${context}: ${w.message}` : w.message;
  if (Cls) return new Cls(message);
  const e: NodeJS.ErrnoException = new Error(message);
  e.name = w.name;
  if (w.code) e.code = w.code;
  return e;
}
