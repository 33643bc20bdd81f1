/**
 * Work every run of a protocol shares, done once before any worker starts: load the data set (into
 * shared memory for the workers) and let the learner prepare (the frozen encoder encodes or reads its
 * features into a shared store). Workers then adopt both instead of loading or encoding again.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../compute/tfjs/backend.ts';
import { protocolData, segTrainConfig } from '../../env/make-env.ts';
import { learnerFactory, learnerSpecOf } from '../../env/learners/registry.ts';
import type { Protocol } from '../../env/protocol/load.ts';
import type { SegDataset } from '../../env/data/dataset.ts';

export async function prepareProtocol(p: Protocol, o: { dataRoot?: string; cacheDir: string | null; threads?: number; onProgress?: (done: number, total: number) => void }): Promise<SegDataset> {
  // any tfjs work here (an encoder's probe run) on wasm, not on the pure-JS default
  if (tf.engine().backendName === null) await initBackend('wasm');
  const data = protocolData(p, o.dataRoot);
  const spec = learnerSpecOf(p.model);
  await learnerFactory(spec.name).prepare?.(spec, { data, train: segTrainConfig(p), cacheDir: o.cacheDir }, o.onProgress);
  return data;
}
