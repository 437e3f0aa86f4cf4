// Shared by the conv / matmul / fused-method device kernels of backend 'cuda' (with what every
// device kernel shares, device-kernel.ts): float32 checks and outputs, named inputs.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { CudaBackend } from '../backend.js';
import { newTensor } from './device-kernel.js';

export { bufferOf, deviceKernelConfig, fallBack, type DeviceKernelFunc, type KernelArgs } from './device-kernel.js';

export function allFloat32(...tensors: (TensorInfo | undefined)[]): boolean {
  return tensors.every((t) => t === undefined || t.dtype === 'float32');
}

/** A new float32 tensor on the device, its values not yet written, and its buffer. */
export function newFloat32(backend: CudaBackend, shape: number[]): { info: TensorInfo; buffer: number } {
  return newTensor(backend, shape, 'float32');
}

/** A kernel's named inputs, all present. */
export type Inputs<K extends string> = Record<K, TensorInfo>;
