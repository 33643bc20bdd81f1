/**
 * regiongym's library surface: `import { makeEnv, ActiveSegEnv } from 'regiongym'`.
 */
export { Rng } from './env/core/rng.ts';
export * from './env/core/errors.ts';
export { initBackend, BACKEND_NAMES, type BackendName } from './env/model/backend.ts';
export type { SegDataset, SegSample, SplitName } from './env/data/dataset.ts';
export { makeSyntheticDataset } from './env/data/synthetic.ts';
export { loadCamVid } from './env/data/camvid.ts';
export { loadCityscapes } from './env/data/cityscapes.ts';
export { Segmenter } from './env/model/segmenter.ts';
export * from './env/metrics.ts';
