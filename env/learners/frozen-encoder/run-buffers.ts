/**
 * Input buffers of a batch's native training runs, kept from batch to batch. A fresh typed array of
 * megabytes per run is page-faulted in on first touch: filling new ones moved ~1 GB per final-training
 * epoch at ~2 GB/s, against ~10 GB/s into memory already mapped. Run `i` of a batch takes buffer `i`;
 * the next batch reuses them once the engine has returned (every element is written before a run).
 */
type Typed = Uint16Array | Int32Array | Float32Array;

export class RunBuffers<T extends Typed> {
  private readonly buffers: T[] = [];

  constructor(private readonly make: (length: number) => T) {}

  /** Buffer `i`, exactly `length` elements long (its contents are stale: the caller overwrites them). */
  take(i: number, length: number): T {
    let b = this.buffers[i];
    if (!b || b.length < length) this.buffers[i] = b = this.make(length);
    return b.subarray(0, length) as T;
  }
}
