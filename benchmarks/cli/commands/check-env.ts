/** `regiongym check-env`: run checkEnv on a protocol's env; exits non-zero when a check fails. */
import { REGION_AL_CHECKS } from '../../../env/core/region-al-checks.ts';
import type { Command } from 'commander';
import { featureProgress } from '../progress.ts';
import { prepareProtocol } from '../../sweep/prepare.ts';
import { defaultCacheDir } from '../../../env/cache-dir.ts';
import { checkEnv } from '../../../env/core/check-env.ts';
import { makeEnv, resolveProtocol, type Phase } from '../../../env/make-env.ts';
import { choiceOption } from '../options.ts';
import { addComputeOptions, initCompute, type ComputeOptions } from '../compute-flags.ts';

export function registerCheckEnv(program: Command): void {
  const cmd = program
    .command('check-env')
    .description("check an env against the Gymnasium contract and the region-AL invariants (Gymnasium's env checker, ported)")
    .option('--protocol <name|file>', 'registered id, shipped protocol name or protocol file', 'synthetic-quick')
    .option('--phase <phase>', 'policy|eval', choiceOption('--phase', ['policy', 'eval'] as const), 'policy')
    .option('--root <dir>', 'data folder of a real data set');
  addComputeOptions(cmd).action(async (o: ComputeOptions & { protocol: string; phase: Phase; root?: string }) => {
    const { backend, inference, training } = await initCompute(o);
    const protocol = resolveProtocol(o.protocol);
    const t0 = performance.now();
    process.stderr.write(`check-env: protocol ${protocol.name} (${o.phase} phase), backend ${backend}, inference ${inference}, training ${training}\n`);
    // the learner's inputs first (a frozen encoder's features: minutes on a fresh machine), with progress
    await prepareProtocol(protocol, { dataRoot: o.root, cacheDir: defaultCacheDir(), threads: o.threads, onProgress: featureProgress() });
    const results = await checkEnv(() => makeEnv(protocol, { phase: o.phase, dataRoot: o.root }), REGION_AL_CHECKS);
    for (const r of results) console.log(`${r.status === 'pass' ? 'PASS' : r.status === 'warn' ? 'WARN' : 'FAIL'}  ${r.name}${r.message ? `\n      ${r.message}` : ''}`);
    const failed = results.filter((r) => r.status === 'fail').length;
    console.log(`${results.length - failed} passed, ${failed} failed (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    process.exitCode = failed > 0 ? 1 : 0;
  });
}
