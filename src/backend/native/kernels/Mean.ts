import { Mean } from '@tensorflow/tfjs-core';
import { ReduceOp } from '../../../native/kernels.js';
import { reduceKernel } from './reduce_util.js';

export const meanConfig = reduceKernel(Mean, ReduceOp.Mean);
