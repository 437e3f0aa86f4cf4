// MnfCscLoss on host backends: forward and backward in ONE addon call (native/csc/, on CUDA when a
// device is usable); the op's gradient scales the returned dL/dv, dL/dz by dy (losses/csc.ts).
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { cscLossGrad } from '../../native/csc.js';
import { CscLoss, type CscLossAttrs, type CscLossInputs } from '../kernel-names.js';
import { readFloat32, readInt32, writeFloat32, type HostKernelArgs } from './host-tensors.js';

function kernelFunc({ inputs, backend, attrs }: HostKernelArgs): TensorInfo[] {
  const { v, z, aSel, labels } = inputs as CscLossInputs;
  const { theta, calibrated } = attrs as CscLossAttrs;
  const host = backend as KernelBackend;
  const [batch, dim] = v.shape as [number, number];
  const result = cscLossGrad({
    v: readFloat32(host, v),
    z: readFloat32(host, z),
    aSel: readFloat32(host, aSel),
    labels: readInt32(host, labels),
    batch,
    dim,
    theta,
    calibrated,
  });
  return [writeFloat32(host, Float32Array.of(result.loss), []), writeFloat32(host, result.dv, [batch, dim]), writeFloat32(host, result.dz, [batch, dim])];
}

export const cscLossConfig = { kernelName: CscLoss, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
