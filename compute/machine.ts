/**
 * What about this machine can change a native engine's numbers. onnxruntime's CPU kernels (MLAS) pick
 * their code path by the CPU's vector extensions at run time (SSE, AVX2, AVX-512, AMX...), so the same
 * graph on the same inputs rounds differently on machines of different kinds, while on one machine it
 * is bitwise repeatable (test/ort-train.test.ts). The wasm backend does not depend on it. Recorded where
 * a later run must reproduce an earlier one to the bit (the bench's action logs), so a mismatch can say
 * whether the machine, the engine or the code changed.
 */
import { readFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';

/** The x86 vector-extension flags MLAS dispatches on, and their ARM counterparts. */
const DISPATCH_FLAGS = /^(sse4_1|sse4_2|avx|avx2|fma|f16c|avx_vnni|avx512[a-z0-9_]*|amx[a-z0-9_]*|asimd|asimddp|sve|sve2|i8mm|bf16)$/;

let cached: string | null = null;

/** `<arch> <cpu model>; <dispatch flags>`, e.g. `x64 Intel(R) Xeon(R) Processor; avx avx2 avx512f fma`. */
export function machineFingerprint(): string {
  if (cached !== null) return cached;
  const model = cpus()[0]?.model.trim() ?? 'unknown cpu';
  cached = `${arch()} ${model}; ${cpuFlags().filter((f) => DISPATCH_FLAGS.test(f)).sort().join(' ') || 'flags unknown'}`;
  return cached;
}

/** The flags of /proc/cpuinfo's first processor (x86 `flags`, ARM `Features`); none off Linux. */
function cpuFlags(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return [];
  }
  const line = text.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  return line ? line.slice(line.indexOf(':') + 1).trim().split(/\s+/) : [];
}
