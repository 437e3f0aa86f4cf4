// Training-mode BatchNorm forward in the addon (native/norm/): x (rows, C), γ, β, optional residual
// (rows, C) → y = [ReLU](BN(x) [+ residual]), batch mean, biased batch variance, 1/√(var + eps). Op and gradient: src/models/layers/batchnorm-native.ts.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { batchNormTrainForward } from '../../../native/norm.js';
import { record } from './recorder.js';
import { output, type Inputs, type KernelArgs } from './util.js';
import { float32Values } from './float32_values.js';

export const NATIVE_BN_TRAIN_KERNEL = 'MnfNativeBatchNormTrain';

export interface NativeBatchNormAttrs {
  eps: number;
  relu: boolean;
  /** the op has a residual input (then the gradient has a dResidual output) */
  residual: boolean;
}

function kernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, gamma, beta, residual } = inputs as Inputs<'x' | 'gamma' | 'beta'> & { residual?: TensorInfo };
  const { eps, relu } = attrs as unknown as NativeBatchNormAttrs;
  const [rows, channels] = x.shape as [number, number];
  record({ kind: 'other', kernel: NATIVE_BN_TRAIN_KERNEL });
  const values = (t: TensorInfo) => float32Values(backend, t);
  const r = batchNormTrainForward(values(x), rows, channels, values(gamma), values(beta), eps, relu, residual ? values(residual) : null);
  return [output(backend, [rows, channels], r.y), output(backend, [channels], r.mean), output(backend, [channels], r.variance), output(backend, [channels], r.invStd)];
}

export const nativeBatchNormTrainConfig = { kernelName: NATIVE_BN_TRAIN_KERNEL, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
