/** A feature store as it crosses to a worker thread: the buffers are shared, not copied. */
import type { CellDims } from './cache-file.ts';

export interface FeatureStoreDescriptor {
  readonly key: string;
  readonly dims: CellDims;
  readonly contentKeys: readonly string[];
  readonly buffer: SharedArrayBuffer;
  readonly filled: SharedArrayBuffer;
}
