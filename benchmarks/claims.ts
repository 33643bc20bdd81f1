/**
 * Claims on trajectories, so several benches on one runs file share the work: a claim is a file
 * `<dir>/<trajectory id>` created with O_EXCL holding the owner's pid and host; a claim whose owner
 * process is gone is stale and taken over. Released when the trajectory ends (done or failed).
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

function ownerAlive(path: string): boolean {
  try {
    const [pid, host] = readFileSync(path, 'utf8').trim().split(' ');
    if (host !== hostname()) return true; // another machine's claim: cannot tell, so respect it
    process.kill(Number(pid), 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Claims {
  private readonly mine = new Set<string>();

  constructor(private readonly dir: string) {}

  /** Claim `id`; false when a live process holds it. */
  take(id: string): boolean {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, id);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, `${process.pid} ${hostname()}\n`);
        closeSync(fd);
        this.mine.add(id);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (ownerAlive(path)) return false;
        try {
          unlinkSync(path);
        } catch {
          // another process took the stale claim over first
        }
      }
    }
    return false;
  }

  release(id: string): void {
    if (!this.mine.delete(id)) return;
    try {
      unlinkSync(join(this.dir, id));
    } catch {
      // already gone
    }
  }
}
