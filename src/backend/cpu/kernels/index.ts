// The project's kernels for tfjs's cpu backend (its own kernels stay tfjs's).
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { adamUpdateConfig } from '../../kernels/MnfAdamUpdate.js';
import { batchNormRunningStatsConfig } from '../../kernels/MnfBatchNormRunningStats.js';
import { batchNormTrainConfig } from './MnfBatchNormTrain.js';
import { batchNormTrainGradConfig } from './MnfBatchNormTrainGrad.js';

export { cscLossConfig } from '../../kernels/MnfCscLoss.js';

/** Kernels that need nothing but JS. MnfCscLoss (cscLossConfig) runs in the addon: registered only where it loads. */
export const cpuKernels: Omit<KernelConfig, 'backendName'>[] = [batchNormTrainConfig, batchNormTrainGradConfig, batchNormRunningStatsConfig, adamUpdateConfig];
