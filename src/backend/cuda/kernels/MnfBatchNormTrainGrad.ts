// MnfBatchNormTrainGrad on the device: dy, x, y (the ReLU mask), γ, mean, invStd → dx, dγ, dβ and,
// when the forward had a residual, dResidual.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { deviceBatchNormTrainGrad } from '../../../native/device-ops-conv-matmul.js';
import { BatchNormTrainGrad, type BatchNormTrainAttrs, type BatchNormTrainGradInputs } from '../../kernel-names.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc } from './conv-matmul-util.js';

const batchNormTrainGrad: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { dy, x, y, gamma, mean, invStd } = args.inputs as unknown as BatchNormTrainGradInputs;
  const { relu, residual } = args.attrs as unknown as BatchNormTrainAttrs;
  if (x.shape.length !== 2 || !allFloat32(dy, x, relu ? y : undefined, gamma, mean, invStd)) return fallBack(BatchNormTrainGrad, args);
  const [rows, channels] = x.shape as [number, number];
  const dx = newFloat32(backend, [rows, channels]);
  const dGamma = newFloat32(backend, [channels]);
  const dBeta = newFloat32(backend, [channels]);
  const dResidual = residual ? newFloat32(backend, [rows, channels]) : undefined;
  deviceBatchNormTrainGrad(backend.device, bufferOf(backend, dy), bufferOf(backend, x), relu ? bufferOf(backend, y) : undefined,
    bufferOf(backend, mean), bufferOf(backend, invStd), bufferOf(backend, gamma), rows, channels, relu,
    { dx: dx.buffer, dGamma: dGamma.buffer, dBeta: dBeta.buffer, dResidual: dResidual?.buffer });
  const outputs: TensorInfo[] = [dx.info, dGamma.info, dBeta.info];
  if (dResidual) outputs.push(dResidual.info);
  return outputs;
};

export const batchNormTrainGradDeviceConfig = deviceKernelConfig(BatchNormTrainGrad, batchNormTrainGrad);
