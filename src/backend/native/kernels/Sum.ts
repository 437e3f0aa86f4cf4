import { Sum } from '@tensorflow/tfjs-core';
import { ReduceOp } from '../../../native/kernels.js';
import { reduceKernel } from './reduce_util.js';

export const sumConfig = reduceKernel(Sum, ReduceOp.Sum);
