// Tensor access for kernels on host backends (tensors held as JS typed arrays: cpu, native), through
// the generic KernelBackend interface. Kernels only read their inputs' arrays and return new ones.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/** Arguments tfjs passes a kernel function. */
export interface HostKernelArgs {
  inputs: unknown;
  backend: unknown;
  attrs?: unknown;
}

/** A float32 tensor's values: the backend's own array (read only), or a copy when it holds another
 * typed array (a lossless cast keeps its source's Int32Array/Uint8Array). */
export function readFloat32(backend: KernelBackend, t: TensorInfo): Float32Array {
  const values = backend.readSync(t.dataId);
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

export function readInt32(backend: KernelBackend, t: TensorInfo): Int32Array {
  const values = backend.readSync(t.dataId);
  return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
}

/** A new float32 tensor holding `values` (not copied). */
export function writeFloat32(backend: KernelBackend, values: Float32Array, shape: number[]): TensorInfo {
  return { dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
}

/** n float32 values that are not zeroed first: for outputs a kernel writes in full (saves a pass
 * over parameter-sized arrays each step). */
export function uninitialisedFloat32(n: number): Float32Array {
  return new Float32Array(Buffer.allocUnsafeSlow(n * Float32Array.BYTES_PER_ELEMENT).buffer, 0, n);
}
