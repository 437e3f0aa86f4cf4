// MnfBatchNormTrainGrad in the addon: dy, x, y (read for the ReLU mask), γ, mean, invStd → dx, dγ,
// dβ, and dResidual when the forward had a residual.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { batchNormTrainBackward } from '../../../native/norm.js';
import { BatchNormTrainGrad, type BatchNormTrainAttrs, type BatchNormTrainGradInputs } from '../../kernel-names.js';
import { record } from './recorder.js';
import { output, type KernelArgs } from './util.js';
import { float32Values } from './float32_values.js';

function kernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { dy, x, y, gamma, mean, invStd } = inputs as unknown as BatchNormTrainGradInputs;
  const { relu, residual } = attrs as unknown as BatchNormTrainAttrs;
  const [rows, channels] = x.shape as [number, number];
  record({ kind: 'other', kernel: BatchNormTrainGrad });
  const values = (t: TensorInfo) => float32Values(backend, t);
  const r = batchNormTrainBackward(values(dy), values(x), relu ? values(y) : null, values(mean), values(invStd), values(gamma), rows, channels, relu, residual);
  const outputs = [output(backend, [rows, channels], r.dx), output(backend, [channels], r.dGamma), output(backend, [channels], r.dBeta)];
  if (residual) outputs.push(output(backend, [rows, channels], r.dResidual!));
  return outputs;
}

export const batchNormTrainGradConfig = { kernelName: BatchNormTrainGrad, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
