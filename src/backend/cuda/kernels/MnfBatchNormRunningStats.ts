// MnfBatchNormRunningStats on the device: the running mean and variance moved towards the batch's
// (rounded as the host kernel, src/backend/kernels/MnfBatchNormRunningStats.ts, rounds them).
import { util } from '@tensorflow/tfjs-core';
import { deviceBatchNormRunningStats } from '../../../native/device-ops-conv-matmul.js';
import { BatchNormRunningStats, type BatchNormRunningStatsAttrs, type BatchNormRunningStatsInputs } from '../../kernel-names.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc } from './conv-matmul-util.js';

const batchNormRunningStats: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { runningMean, runningVar, mean, variance } = args.inputs as unknown as BatchNormRunningStatsInputs;
  const { momentum, rows } = args.attrs as unknown as BatchNormRunningStatsAttrs;
  const channels = util.sizeFromShape(runningMean.shape);
  const sameSize = [runningVar, mean, variance].every((t) => util.sizeFromShape(t.shape) === channels);
  // rows < 2 has no unbiased variance: the host kernel's arithmetic (Infinity, NaN) decides
  if (!sameSize || channels === 0 || !Number.isInteger(rows) || rows < 2 || !allFloat32(runningMean, runningVar, mean, variance)) {
    return fallBack(BatchNormRunningStats, args);
  }
  const meanOut = newFloat32(backend, runningMean.shape);
  const varOut = newFloat32(backend, runningVar.shape);
  deviceBatchNormRunningStats(backend.device, bufferOf(backend, runningMean), bufferOf(backend, runningVar), bufferOf(backend, mean),
    bufferOf(backend, variance), channels, momentum, rows, meanOut.buffer, varOut.buffer);
  return [meanOut.info, varOut.info];
};

export const batchNormRunningStatsDeviceConfig = deviceKernelConfig(BatchNormRunningStats, batchNormRunningStats);
