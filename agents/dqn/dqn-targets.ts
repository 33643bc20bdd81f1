/** What the tfjs and native Double-DQN updates share besides the network: targets, batch stacking, the result. */

/** Targets y = r + γ·V(next) for a batch, V = 0 for terminal samples. Exposed for tests. */
export function doubleDqnTargets(rewards: Float32Array, terminal: Uint8Array, nextPolicyQ: number[][], nextTargetQ: number[][], nextMasks: (Uint8Array | null)[], gamma: number): Float32Array {
  return Float32Array.from(rewards, (r, i) => {
    if (terminal[i]) return r;
    const mask = nextMasks[i]!;
    let best = -1;
    nextPolicyQ[i]!.forEach((q, j) => {
      if (mask[j] && (best < 0 || q > nextPolicyQ[i]![best]!)) best = j;
    });
    return best < 0 ? r : r + gamma * nextTargetQ[i]![best]!;
  });
}

/** Equal-length arrays one after another (a batch of pools or states). */
export function stackRows(arrays: readonly Float32Array[]): Float32Array {
  const size = arrays[0]!.length;
  const out = new Float32Array(arrays.length * size);
  arrays.forEach((a, i) => out.set(a, i * size));
  return out;
}

export interface UpdateResult {
  loss: number;
  tdErrors: Float32Array;
}
