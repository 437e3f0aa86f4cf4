import { Sigmoid } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../../../native/kernels.js';
import { unaryKernel } from './unary_util.js';

export const sigmoidConfig = unaryKernel(Sigmoid, UnaryOp.Sigmoid);
