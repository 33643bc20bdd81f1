/**
 * A Node child process run without blocking, for the scripts and tests that start several commands side
 * by side: how it ended, with everything it wrote to stderr (stdout is ignored).
 */
import { spawn } from 'node:child_process';

export interface ChildExit {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** `node ARGS…`; settles once the child has exited and its stderr is closed (`timeoutMs`: killed after it). */
export function childExit(args: readonly string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: o.env ?? process.env, ...(o.timeoutMs ? { timeout: o.timeoutMs } : {}) });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stderr }));
  });
}
