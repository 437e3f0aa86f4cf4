// What every device kernel of backend 'cuda' shares: its typed function and config, new output
// tensors on the device, input buffers, and the counted host fallback (the native kernel through
// copies, fallback.ts) for the cases a device op does not take.
import type { DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../../../tf.js';
import { NATIVE_BACKEND } from '../../native/backend.js';
import type { CudaBackend } from '../backend.js';
import { hostFallback } from '../fallback.js';

export type KernelArgs = Parameters<KernelFunc>[0];

/** A device kernel's function, typed for backend 'cuda'. */
export type DeviceKernelFunc = (args: KernelArgs & { backend: CudaBackend }) => TensorInfo | TensorInfo[];

/** The KernelConfig maker of a device kernel for backend `backendName`. */
export function deviceKernelConfig(kernelName: string, kernelFunc: DeviceKernelFunc): (backendName: string) => KernelConfig {
  return (backendName) => ({ kernelName, backendName, kernelFunc: kernelFunc as unknown as KernelFunc });
}

const fallbacks = new Map<string, KernelFunc>();

/** Runs the native kernel of that name as a counted host fallback. */
export function fallBack(kernelName: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  let run = fallbacks.get(kernelName);
  if (!run) {
    const native = tf.getKernel(kernelName, NATIVE_BACKEND);
    if (!native) throw new Error(`backend 'cuda': ${kernelName} needs backend 'native' registered first (its host fallback)`);
    run = hostFallback(native);
    fallbacks.set(kernelName, run);
  }
  return run(args) as TensorInfo | TensorInfo[];
}

/** A new tensor on the device, its values not yet written, and its buffer. */
export function newTensor(backend: CudaBackend, shape: number[], dtype: DataType): { info: TensorInfo; buffer: number } {
  const info = backend.makeTensorInfo(shape, dtype);
  return { info, buffer: backend.bufferOf(info.dataId) };
}

/** The device buffer of an input tensor. */
export function bufferOf(backend: CudaBackend, t: TensorInfo): number {
  return backend.bufferOf(t.dataId);
}
