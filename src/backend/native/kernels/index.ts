// The addon's kernels for backend 'native', one file per kernel (tfjs's layout).
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
import { nativeBatchNormTrainConfig } from './MnfNativeBatchNormTrain.js';
import { nativeBatchNormTrainGradConfig } from './MnfNativeBatchNormTrainGrad.js';
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
  nativeBatchNormTrainConfig,
  nativeBatchNormTrainGradConfig,
  sliceConfig,
  splitVConfig,
];
