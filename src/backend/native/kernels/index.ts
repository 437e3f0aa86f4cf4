// The kernels backend 'native' registers over tfjs's cpu ones, one file per kernel (tfjs's layout):
// the addon's here, and the host kernels it shares with 'cpu' (src/backend/kernels/: BatchNorm's
// running statistics in JS, the CSC loss through the addon, the Adam update over the addon's loop).
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DConfig } from './Conv2D.js';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput.js';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter.js';
import { conv3DConfig } from './Conv3D.js';
import { conv3DBackpropInputV2Config } from './Conv3DBackpropInputV2.js';
import { conv3DBackpropFilterV2Config } from './Conv3DBackpropFilterV2.js';
import { batchMatMulConfig } from './BatchMatMul.js';
import { fusedMatMulConfig } from './_FusedMatMul.js';
import { addConfig } from './Add.js';
import { subConfig } from './Sub.js';
import { multiplyConfig } from './Multiply.js';
import { realDivConfig } from './RealDiv.js';
import { squaredDifferenceConfig } from './SquaredDifference.js';
import { reluConfig } from './Relu.js';
import { stepConfig } from './Step.js';
import { sigmoidConfig } from './Sigmoid.js';
import { negConfig } from './Neg.js';
import { squareConfig } from './Square.js';
import { sumConfig } from './Sum.js';
import { meanConfig } from './Mean.js';
import { batchNormTrainConfig } from './MnfBatchNormTrain.js';
import { batchNormTrainGradConfig } from './MnfBatchNormTrainGrad.js';
import { batchNormRunningStatsConfig } from '../../kernels/MnfBatchNormRunningStats.js';
import { nativeAdamUpdateConfig } from './MnfAdamUpdate.js';
import { cscLossConfig } from '../../kernels/MnfCscLoss.js';
import { sliceConfig } from './Slice.js';
import { splitVConfig } from './SplitV.js';

export const nativeKernels: Omit<KernelConfig, 'backendName'>[] = [
  conv2DConfig,
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  conv3DConfig,
  conv3DBackpropInputV2Config,
  conv3DBackpropFilterV2Config,
  batchMatMulConfig,
  fusedMatMulConfig,
  addConfig,
  subConfig,
  multiplyConfig,
  realDivConfig,
  squaredDifferenceConfig,
  reluConfig,
  stepConfig,
  sigmoidConfig,
  negConfig,
  squareConfig,
  sumConfig,
  meanConfig,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
  batchNormRunningStatsConfig,
  nativeAdamUpdateConfig,
  cscLossConfig,
  sliceConfig,
  splitVConfig,
];
