/**
 * Claims on trajectories, so several benches on one runs file share the work: a claim is a lock file
 * `<dir>/<trajectory id>` (lock-file.ts) held while the trajectory runs; a dead owner's claim is
 * taken over. Released when the trajectory ends (done or failed).
 */
import { join } from 'node:path';
import { releaseLock, tryLock } from './lock-file.ts';

export class Claims {
  private readonly mine = new Set<string>();

  constructor(private readonly dir: string) {}

  /** Claim `id`; false when a live process holds it. */
  take(id: string): boolean {
    if (!tryLock(join(this.dir, id)).taken) return false;
    this.mine.add(id);
    return true;
  }

  release(id: string): void {
    if (this.mine.delete(id)) releaseLock(join(this.dir, id));
  }
}
