// Backend 'cuda''s device kernels of the convolution / matmul / fused-method family.
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DDeviceConfig } from './Conv2D.js';
import { conv2DBackpropInputDeviceConfig } from './Conv2DBackpropInput.js';
import { conv2DBackpropFilterDeviceConfig } from './Conv2DBackpropFilter.js';
import { conv3DDeviceConfig } from './Conv3D.js';
import { conv3DBackpropInputV2DeviceConfig } from './Conv3DBackpropInputV2.js';
import { conv3DBackpropFilterV2DeviceConfig } from './Conv3DBackpropFilterV2.js';
import { batchMatMulDeviceConfig } from './BatchMatMul.js';
import { fusedMatMulDeviceConfig } from './_FusedMatMul.js';
import { batchNormTrainDeviceConfig } from './MnfBatchNormTrain.js';
import { batchNormTrainGradDeviceConfig } from './MnfBatchNormTrainGrad.js';
import { batchNormRunningStatsDeviceConfig } from './MnfBatchNormRunningStats.js';
import { adamUpdateDeviceConfig } from './MnfAdamUpdate.js';
import { cscLossDeviceConfig } from './MnfCscLoss.js';

const MAKERS = [
  conv2DDeviceConfig,
  conv2DBackpropInputDeviceConfig,
  conv2DBackpropFilterDeviceConfig,
  conv3DDeviceConfig,
  conv3DBackpropInputV2DeviceConfig,
  conv3DBackpropFilterV2DeviceConfig,
  batchMatMulDeviceConfig,
  fusedMatMulDeviceConfig,
  batchNormTrainDeviceConfig,
  batchNormTrainGradDeviceConfig,
  batchNormRunningStatsDeviceConfig,
  adamUpdateDeviceConfig,
  cscLossDeviceConfig,
];

/** The conv / matmul / fused-method device kernels for backend `backendName`. */
export function convMatMulKernels(backendName: string): KernelConfig[] {
  return MAKERS.map((make) => make(backendName));
}
