/**
 * Owned copies of feeds that live in shared memory (onnxruntime-node refuses memory it cannot own),
 * reused from run to run. A fresh array of megabytes per run is page-faulted in on first touch, which
 * cost as much as the copy itself: a reward-set pass copies ~3.5 MB per image. A run takes a free copy
 * of its length and gives it back when it has returned, so runs in flight never share one.
 */
type Feed = Float32Array | Uint16Array | Int32Array;

export class StagingCopies {
  private readonly free = new Map<string, Feed[]>();

  /** An owned array equal to `data`: `data` itself when it owns its memory, else a staged copy (recorded in `taken`). */
  own(data: Feed, taken: Feed[]): Feed {
    if (!(data.buffer instanceof SharedArrayBuffer)) return data;
    const copy = this.free.get(keyOf(data))?.pop() ?? (new (data.constructor as new (n: number) => Feed)(data.length));
    copy.set(data as never);
    taken.push(copy);
    return copy;
  }

  /** Copies `own` handed out, free again once their run has returned. */
  release(taken: readonly Feed[]): void {
    for (const c of taken) {
      const k = keyOf(c);
      const list = this.free.get(k);
      if (list) list.push(c);
      else this.free.set(k, [c]);
    }
  }
}

function keyOf(a: Feed): string {
  return `${a.constructor.name}/${a.length}`;
}
