// MnfBatchNormTrain in the addon (native/norm/: two passes, multi-threaded): x (rows, C), γ, β,
// optional residual (rows, C) → y = [ReLU](BN(x) [+ residual]), batch mean, biased batch variance,
// 1/√(var + eps). The op and its gradient: src/models/layers/batchnorm-ops.ts.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { batchNormTrainForward } from '../../../native/norm.js';
import { BatchNormTrain, type BatchNormTrainAttrs, type BatchNormTrainInputs } from '../../kernel-names.js';
import { record } from './recorder.js';
import { output, type KernelArgs } from './util.js';
import { float32Values } from './float32_values.js';

function kernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, gamma, beta, residual } = inputs as unknown as BatchNormTrainInputs;
  const { eps, relu } = attrs as unknown as BatchNormTrainAttrs;
  const [rows, channels] = x.shape as [number, number];
  record({ kind: 'other', kernel: BatchNormTrain });
  const values = (t: TensorInfo) => float32Values(backend, t);
  const r = batchNormTrainForward(values(x), rows, channels, values(gamma), values(beta), eps, relu, residual ? values(residual) : null);
  return [output(backend, [rows, channels], r.y), output(backend, [channels], r.mean), output(backend, [channels], r.variance), output(backend, [channels], r.invStd)];
}

export const batchNormTrainConfig = { kernelName: BatchNormTrain, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
