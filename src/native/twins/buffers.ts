// What twin cases share: buffers filled from host arrays, read back, and the error measure.
import type { DeviceMemory, HostArray } from '../device-memory.js';

/** A buffer of `device` holding `values`. */
export function upload(device: DeviceMemory, values: HostArray): number {
  const id = device.alloc(values.byteLength);
  device.write(id, values);
  return id;
}

/** The buffer's values as a new array of the same type and length as `like`. */
export function download<T extends HostArray>(device: DeviceMemory, id: number, like: T): T {
  const into = new (like.constructor as new (n: number) => T)(like.length);
  return device.readSync(id, into);
}

/** A fresh buffer of `count` elements of `bytesPerElement` (contents undefined). */
export function allocate(device: DeviceMemory, count: number, bytesPerElement = 4): number {
  return device.alloc(count * bytesPerElement);
}

/** max |a − b| / max(1, max |b|); NaN where they disagree on NaN, Infinity on length. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (Number.isNaN(a) !== Number.isNaN(b)) return NaN;
    if (Number.isNaN(b) || a === b) continue;
    diff = Math.max(diff, Math.abs(a - b));
    scale = Math.max(scale, Math.abs(b));
  }
  return diff / scale;
}

/** Deterministic float32 values in [-scale, scale) (xorshift32 from `seed`). */
export function randomValues(n: number, seed: number, scale = 1): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 4294967296) * 2 * scale - scale;
  }
  return out;
}
