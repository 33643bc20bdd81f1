/** PNG reading and writing (pngjs), with errors that name the file. */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { DataError } from '../../core/errors.ts';

export interface DecodedPng {
  width: number;
  height: number;
  /** RGBA bytes as pngjs returns them, row-major [H, W, 4]. */
  rgba: Uint8Array;
}

export function readPng(path: string): DecodedPng {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DataError(`cannot read PNG file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
  } catch (e) {
    throw new DataError(`corrupt PNG file ${path}: ${(e as Error).message}`);
  }
}

/** RGB bytes [H, W, 3] of a PNG. */
export function readPngRgb(path: string): { width: number; height: number; rgb: Uint8Array } {
  const { width, height, rgba } = readPng(path);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = rgba[j]!;
    rgb[i + 1] = rgba[j + 1]!;
    rgb[i + 2] = rgba[j + 2]!;
  }
  return { width, height, rgb };
}

/** First channel [H, W] of a PNG: the class index in a label map. */
export function readPngChannel0(path: string): { width: number; height: number; values: Uint8Array } {
  const { width, height, rgba } = readPng(path);
  const values = new Uint8Array(width * height);
  for (let i = 0; i < values.length; i++) values[i] = rgba[i * 4]!;
  return { width, height, values };
}

/** Encode RGB [H, W, 3] or gray [H, W] bytes as PNG. */
export function encodePng(width: number, height: number, data: Uint8Array, channels: 1 | 3): Buffer {
  const png = new PNG({ width, height, colorType: channels === 1 ? 0 : 2, inputColorType: channels === 1 ? 0 : 2, inputHasAlpha: false });
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = data[i * channels]!;
    rgba[i * 4 + 1] = data[i * channels + (channels === 3 ? 1 : 0)]!;
    rgba[i * 4 + 2] = data[i * channels + (channels === 3 ? 2 : 0)]!;
    rgba[i * 4 + 3] = 255;
  }
  png.data = rgba;
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2 });
}
