// The two devices a CUDA kernel's twin test compares: the emulated device (host memory, the CPU
// kernels) and the CUDA GPU. Where no GPU opens, `gpu` is null and `skipReason` says why, for
// describe.skipIf(...) titles.
import { DeviceMemory, type HostArray } from '../src/native/device-memory.js';

function openGpu(): { gpu: DeviceMemory | null; skipReason: string } {
  try {
    return { gpu: new DeviceMemory('cuda'), skipReason: '' };
  } catch (error) {
    return { gpu: null, skipReason: `no CUDA GPU usable: ${(error as Error).message}` };
  }
}

const opened = openGpu();
export const emulated = new DeviceMemory('emulated');
export const gpu = opened.gpu;
/** '' when a GPU opened */
export const skipReason = opened.skipReason;
/** describe title suffix: the reason when the GPU tests are skipped */
export const twinTitle = (name: string) => (gpu ? `${name} (CUDA vs emulated twin)` : `${name} (CUDA vs emulated twin) — skipped: ${skipReason}`);

/** A buffer of `device` holding `values`. */
export function upload(device: DeviceMemory, values: HostArray): number {
  const id = device.alloc(values.byteLength);
  device.write(id, values);
  return id;
}

/** The buffer's values as a new array like `like` (same type and length). */
export function download<T extends HostArray>(device: DeviceMemory, id: number, like: T): T {
  const into = new (like.constructor as new (n: number) => T)(like.length);
  return device.readSync(id, into);
}

/** max |a − b| / max(1, max |b|) */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

/** Deterministic values in [-scale, scale) (xorshift32). */
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
