/**
 * One cached hypercolumn on disk: a 32-byte header (magic 'RGF1', grid rows, columns, channels,
 * payload bytes, the first 8 bytes of the payload's SHA-256) and the float16 payload. Written
 * atomically (temp file + rename); a read checks the size, the header and the checksum.
 *
 * Neither direction allocates a file-sized buffer per file: on these VMs the first touch of fresh
 * memory costs ~20 µs a page (~0.2 GB/s), so reads and writes go through one staging buffer kept for
 * the process, and only the store's own slot is new memory (hashing or reading into the shared slot
 * directly was slower still: node copies shared memory it hashes).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { writeFileAtomic } from '../../../core/fs.ts';
import { FeatureCacheError } from '../../../core/errors.ts';

const MAGIC = 0x31464752; // 'RGF1' little-endian
const HEADER = 32;

export interface CellDims {
  readonly gridH: number;
  readonly gridW: number;
  readonly channels: number;
}

function checksum(payload: Uint8Array): Buffer {
  return createHash('sha256').update(payload).digest().subarray(0, 8);
}

/** The staging buffer of reads and writes, grown to the largest file so far. */
let staging = Buffer.alloc(0);

function stagingOf(bytes: number): Buffer {
  if (staging.length < bytes) staging = Buffer.alloc(bytes);
  return staging.subarray(0, bytes);
}

export function writeCacheFile(path: string, dims: CellDims, halves: Uint16Array): void {
  const payload = new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength);
  const out = stagingOf(HEADER + payload.length);
  out.fill(0, 0, HEADER);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(dims.gridH, 4);
  out.writeUInt32LE(dims.gridW, 8);
  out.writeUInt32LE(dims.channels, 12);
  out.writeUInt32LE(payload.length, 16);
  out.set(payload, HEADER);
  checksum(out.subarray(HEADER)).copy(out, 20);
  writeFileAtomic(path, out);
}

/**
 * The cached halves of one image into `into`, or null when there is no file. A file of the wrong
 * size, header or checksum throws FeatureCacheError naming the file and what was expected.
 */
export function readCacheFile(path: string, dims: CellDims, into: Uint16Array): Uint16Array | null {
  if (!existsSync(path)) return null;
  const want = HEADER + dims.gridH * dims.gridW * dims.channels * 2;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size !== want) throw new FeatureCacheError(`${path}: ${size} bytes, expected ${want} (a ${dims.gridH}×${dims.gridW}×${dims.channels} float16 hypercolumn): truncated or from another encoder`);
    const buf = stagingOf(want);
    readFully(fd, buf);
    const got = [buf.readUInt32LE(0), buf.readUInt32LE(4), buf.readUInt32LE(8), buf.readUInt32LE(12), buf.readUInt32LE(16)];
    const expected = [MAGIC, dims.gridH, dims.gridW, dims.channels, want - HEADER];
    if (got.some((v, i) => v !== expected[i])) throw new FeatureCacheError(`${path}: header ${got.join(',')} does not match the expected ${expected.join(',')}`);
    const payload = buf.subarray(HEADER);
    if (!checksum(payload).equals(buf.subarray(20, 28))) throw new FeatureCacheError(`${path}: checksum mismatch (the file is corrupt)`);
    new Uint8Array(into.buffer, into.byteOffset, into.byteLength).set(payload);
    return into;
  } finally {
    closeSync(fd);
  }
}

/** Fill `into` from the file's start (a short read of a file of the checked size means it changed underfoot). */
function readFully(fd: number, into: Uint8Array): void {
  for (let off = 0; off < into.length; ) {
    const n = readSync(fd, into, off, into.length - off, off);
    if (n === 0) throw new FeatureCacheError(`feature cache file ended after ${off} of ${into.length} bytes while being read (changed underfoot)`);
    off += n;
  }
}
