// A tensor's values as a Float32Array: the backend's own array when it already is one (no copy),
// else a float32 copy (a tensor written from another typed array).
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export function float32Values(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  const values = backend.readSync(t.dataId);
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}
