// Shared plumbing for the native kernels: typed-array access, output allocation and the fallback
// to tfjs's cpu kernel for any case a native kernel does not cover.
import type { DataType, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { tf } from '../../../tf.js';

export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: MathBackendCPU;
  attrs?: NamedAttrMap;
}

/** The float32 values of a tensor held by the cpu-style backend. */
export function f32(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

/** True when every given tensor is float32 and held as a Float32Array (a cast from bool keeps its bytes). */
export function allFloat32(backend: MathBackendCPU, ...tensors: (TensorInfo | undefined)[]): boolean {
  return tensors.every((t) => t === undefined || (t.dtype === 'float32' && backend.data.get(t.dataId).values instanceof Float32Array));
}

export function output(backend: MathBackendCPU, shape: number[], values: Float32Array, dtype: DataType = 'float32'): TensorInfo {
  return backend.makeTensorInfo(shape, dtype, values);
}

/** Runs tfjs's cpu kernel of that name (always correct, slow). */
export function cpuFallback(kernelName: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const kernel = tf.getKernel(kernelName, 'cpu');
  if (!kernel) throw new Error(`backend 'native': no cpu kernel ${kernelName} to fall back to`);
  return (kernel.kernelFunc as KernelFunc)(args as Parameters<KernelFunc>[0]);
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A kernel's named inputs, all present. */
export type Inputs<K extends string> = Record<K, TensorInfo>;
