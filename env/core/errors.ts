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
