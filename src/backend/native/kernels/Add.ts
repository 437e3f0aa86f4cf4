import { Add } from '@tensorflow/tfjs-core';
import { BinaryOp } from '../../../native/kernels.js';
import { binaryKernel } from './binary_util.js';

export const addConfig = binaryKernel(Add, BinaryOp.Add);
