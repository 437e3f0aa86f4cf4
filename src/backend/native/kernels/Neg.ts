import { Neg } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../../../native/kernels.js';
import { unaryKernel } from './unary_util.js';

export const negConfig = unaryKernel(Neg, UnaryOp.Neg);
