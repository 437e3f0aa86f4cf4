// MnfBatchNormTrain on the device: x (rows, C) float32, γ, β, optional residual → y, batch mean,
// biased variance, 1/√(var + eps) (native/norm/'s code on the emulated device).
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { deviceBatchNormTrain } from '../../../native/device-ops-conv-matmul.js';
import { BatchNormTrain, type BatchNormTrainAttrs, type BatchNormTrainInputs } from '../../kernel-names.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc } from './conv-matmul-util.js';

const batchNormTrain: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { x, gamma, beta, residual } = args.inputs as unknown as BatchNormTrainInputs;
  const { eps, relu } = args.attrs as unknown as BatchNormTrainAttrs;
  if (x.shape.length !== 2 || !allFloat32(x, gamma, beta, residual)) return fallBack(BatchNormTrain, args);
  const [rows, channels] = x.shape as [number, number];
  const outputs = [newFloat32(backend, [rows, channels]), newFloat32(backend, [channels]), newFloat32(backend, [channels]), newFloat32(backend, [channels])];
  const [y, mean, variance, invStd] = outputs.map((o) => o.buffer) as [number, number, number, number];
  deviceBatchNormTrain(backend.device, bufferOf(backend, x), rows, channels, bufferOf(backend, gamma), bufferOf(backend, beta),
    residual ? bufferOf(backend, residual) : undefined, eps, relu, { y, mean, variance, invStd });
  return outputs.map((o): TensorInfo => o.info);
};

export const batchNormTrainDeviceConfig = deviceKernelConfig(BatchNormTrain, batchNormTrain);
