import { Step, type StepAttrs } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../../../native/kernels.js';
import { unaryKernel } from './unary_util.js';

// Relu's gradient is dy · step(x); alpha is the value for x <= 0.
export const stepConfig = unaryKernel(Step, UnaryOp.Step, (attrs) => (attrs as unknown as StepAttrs).alpha ?? 0);
