// BatchNorm's fused training ops. Each runs the kernel the current backend registered under its
// name (src/backend/kernel-names.ts); on a backend without one it computes its composed twin
// (batchnorm-composed.ts), which is also the oracle every kernel is tested against.
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import {
  BatchNormRunningStats,
  BatchNormTrain,
  BatchNormTrainGrad,
  kernelsRegistered,
  type BatchNormRunningStatsAttrs,
  type BatchNormTrainAttrs,
} from '../../backend/kernel-names.js';
import { tf } from '../../tf.js';
import {
  batchNormRunningStatsComposed,
  batchNormTrainComposed,
  type BatchNormTrainOptions,
  type BatchNormTrainResult,
  type RunningStatsOptions,
} from './batchnorm-composed.js';

export type { BatchNormTrainOptions, BatchNormTrainResult, RunningStatsOptions } from './batchnorm-composed.js';

if (!tf.getGradient(BatchNormTrain)) {
  tf.registerGradient({
    kernelName: BatchNormTrain,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [true, true, false, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = Array.isArray(dys) ? dys[0]! : dys;
      const [x, gamma, y, mean, invStd] = saved as tf.Tensor[];
      const inputs = { dy, x, y, gamma, mean, invStd } as unknown as tf.NamedTensorMap;
      const [dx, dGamma, dBeta, dResidual] = tf.engine().runKernel(BatchNormTrainGrad, inputs, attrs as NamedAttrMap) as tf.Tensor[];
      const grads: Record<string, () => tf.Tensor> = { x: () => dx!, gamma: () => dGamma!, beta: () => dBeta! };
      if (dResidual) grads.residual = () => dResidual;
      return grads;
    },
  });
}

/** Training-mode BatchNorm of x (rows, C): y = [ReLU](BN(x) [+ residual]) and the batch statistics. */
export function batchNormTrain(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, opts: BatchNormTrainOptions): BatchNormTrainResult {
  if (!kernelsRegistered(BatchNormTrain, BatchNormTrainGrad)) return batchNormTrainComposed(x, gamma, beta, opts);
  const { eps, relu, residual } = opts;
  const inputs = residual ? { x, gamma, beta, residual } : { x, gamma, beta };
  const attrs: BatchNormTrainAttrs = { eps, relu, residual: residual !== undefined };
  const [y, mean, variance, invStd] = tf.engine().runKernel(BatchNormTrain, inputs as unknown as tf.NamedTensorMap, attrs) as tf.Tensor[];
  invStd!.dispose(); // the gradient keeps its own reference (outputsToSave)
  return { y: y as tf.Tensor2D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** [runningMean', runningVar']: the running statistics moved towards the batch mean and the unbiased
 * batch variance (PyTorch's rule); not differentiable. */
export function batchNormRunningStats(
  runningMean: tf.Tensor1D,
  runningVar: tf.Tensor1D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  opts: RunningStatsOptions,
): [tf.Tensor1D, tf.Tensor1D] {
  if (!kernelsRegistered(BatchNormRunningStats)) return batchNormRunningStatsComposed(runningMean, runningVar, mean, variance, opts);
  const attrs: BatchNormRunningStatsAttrs = { momentum: opts.momentum, rows: opts.rows };
  const inputs = { runningMean, runningVar, mean, variance } as unknown as tf.NamedTensorMap;
  const [newMean, newVar] = tf.engine().runKernel(BatchNormRunningStats, inputs, attrs) as tf.Tensor[];
  return [newMean as tf.Tensor1D, newVar as tf.Tensor1D];
}
