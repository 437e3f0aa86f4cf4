// MnfBatchNormRunningStats on host backends. Each product and the sum are rounded to float32 as
// tfjs's float32 mul/mul/add round them (the products and sum of two floats are exact or correctly
// rounded in double, so one fround each gives the same bits as the composed ops).
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BatchNormRunningStats, type BatchNormRunningStatsAttrs, type BatchNormRunningStatsInputs } from '../kernel-names.js';
import { readFloat32, writeFloat32, type HostKernelArgs } from './host-tensors.js';

/** running·a + batch·b */
function blend(running: Float32Array, batch: Float32Array, a: number, b: number): Float32Array {
  const fa = Math.fround(a);
  const fb = Math.fround(b);
  const out = new Float32Array(running.length);
  for (let i = 0; i < running.length; i++) out[i] = Math.fround(running[i]! * fa) + Math.fround(batch[i]! * fb);
  return out;
}

function kernelFunc({ inputs, backend, attrs }: HostKernelArgs): TensorInfo[] {
  const { runningMean, runningVar, mean, variance } = inputs as BatchNormRunningStatsInputs;
  const { momentum, rows } = attrs as BatchNormRunningStatsAttrs;
  const host = backend as KernelBackend;
  const read = (t: TensorInfo) => readFloat32(host, t);
  const unbias = (momentum * rows) / (rows - 1);
  return [
    writeFloat32(host, blend(read(runningMean), read(mean), 1 - momentum, momentum), runningMean.shape),
    writeFloat32(host, blend(read(runningVar), read(variance), 1 - momentum, unbias), runningVar.shape),
  ];
}

export const batchNormRunningStatsConfig = { kernelName: BatchNormRunningStats, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
