/**
 * One SharedArrayBuffer for a data set's sample bytes, handed out in order: each sample's image
 * [H, W, 3] and then its label [H, W]. Worker threads adopt such samples without a copy. A loader
 * that writes each sample here as it decodes keeps one copy of the data set in memory, not a private
 * one and a shared one (CamVid: 484 MB each at full resolution), and skips a second first touch of
 * the same bytes, which costs ~20 µs a page on some VMs.
 */
import { DataError } from '../../core/errors.ts';
import type { SegSample } from './dataset.ts';

/** One sample's byte views: image [H·W·3] and label [H·W]. */
export interface SampleBytes {
  readonly image: Uint8Array;
  readonly label: Uint8Array;
}

export class SampleArena {
  private readonly bytes: Uint8Array;
  private readonly pixels: number;
  private next = 0;

  constructor(
    readonly capacity: number,
    height: number,
    width: number,
  ) {
    this.pixels = height * width;
    this.bytes = new Uint8Array(new SharedArrayBuffer(capacity * this.pixels * 4));
  }

  /** The next sample's views: image [H·W·3] and label [H·W], in shared memory, zero-filled. */
  take(): SampleBytes {
    if (this.next >= this.capacity) throw new RangeError(`SampleArena holds ${this.capacity} samples; a ${this.capacity + 1}th was asked for`);
    const o = this.next++ * this.pixels * 4;
    return { image: this.bytes.subarray(o, o + 3 * this.pixels), label: this.bytes.subarray(o + 3 * this.pixels, o + 4 * this.pixels) };
  }

  /** A copy of `s` whose bytes live here. */
  adopt(s: SegSample): SegSample {
    // every image of a data set has one size (dataset.ts); a sample of another would be cut or zero-padded here
    if (s.image.length !== 3 * this.pixels || s.label.length !== this.pixels) throw new DataError(`sample '${s.id}' has ${s.image.length / 3} image and ${s.label.length} label pixels; its data set's size gives ${this.pixels}`);
    const { image, label } = this.take();
    image.set(s.image);
    label.set(s.label);
    return { id: s.id, image, label };
  }
}

/** Whether a sample's bytes are already shared (worker threads adopt it as it is). */
export function isShared(s: SegSample): boolean {
  return s.image.buffer instanceof SharedArrayBuffer && s.label.buffer instanceof SharedArrayBuffer;
}
