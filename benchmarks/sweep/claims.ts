/**
 * Claims on trajectories, so several benches on one runs file share the work: a claim is a lock file
 * `<dir>/<trajectory id>` (lock-file.ts) held while the trajectory runs, with a lease: the holder touches
 * it every CLAIM_HEARTBEAT while it runs, and a claim untouched for the lease is taken over whoever held
 * it — a preempted Slurm task or Kubernetes pod on shared storage, or a pid reused by another process.
 * A dead owner's claim on this host is taken over at once. Released when the trajectory ends.
 */
import { join } from 'node:path';
import { releaseLock, touchLock, tryLock } from '../../core/lock-file.ts';

/** Lease of a claim: REGIONGYM_CLAIM_LEASE_S seconds (default 300), refreshed every tenth of it. */
export function claimLeaseMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['REGIONGYM_CLAIM_LEASE_S'];
  const s = raw === undefined || raw === '' ? 300 : Number(raw);
  if (!Number.isFinite(s) || s < 1 || s > 7 * 86400) throw new RangeError(`REGIONGYM_CLAIM_LEASE_S must be a number of seconds in [1, 604800], got '${raw}'`);
  return 1000 * s;
}

export type ClaimResult = { taken: true; tookOver: string | null } | { taken: false; holder: string };

export class Claims {
  private readonly mine = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly dir: string,
    private readonly leaseMs = claimLeaseMs(),
  ) {}

  /** Claim `id`: taken (naming a lapsed holder it took over from), or held by a live process. */
  take(id: string): ClaimResult {
    const r = tryLock(join(this.dir, id), this.leaseMs);
    if (!r.taken) return r;
    this.mine.add(id);
    this.heartbeat ??= setInterval(() => this.touchAll(), Math.max(200, this.leaseMs / 10)).unref();
    return r;
  }

  /** Who holds `id` now (null: nobody, or a lapsed or dead holder), without taking it. */
  holder(id: string): string | null {
    const r = this.take(id);
    if (!r.taken) return r.holder;
    this.release(id);
    return null;
  }

  release(id: string): void {
    if (this.mine.delete(id)) releaseLock(join(this.dir, id));
    if (this.mine.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }

  private touchAll(): void {
    for (const id of this.mine) touchLock(join(this.dir, id));
  }
}
