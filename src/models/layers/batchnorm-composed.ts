// The composed twins of BatchNorm's fused ops (batchnorm-ops.ts), from tfjs ops: what the ops
// compute on a backend without their kernels, and the oracle the kernels are tested against.
//   forward  y = [ReLU](x·scale + shift [+ residual]), scale = γ/√(var+eps), shift = β − mean·scale
//   backward (through BN) dx = g·scale + x·k + (c − mean·k), k = −scale·Σ(g·(x−mean))/(n·(var+eps)),
//            c = −scale·Σg/n;  dγ = Σ(g·(x−mean))/√(var+eps);  dβ = Σg  (g: the gradient reaching BN(x))
// Column sums run as a (1×rows)·(rows×C) matrix product, much faster than an axis-0 Sum.
import { tf } from '../../tf.js';

export interface BatchNormTrainOptions {
  eps: number;
  relu: boolean;
  /** (rows, C), added before the ReLU (a ResNet block's shortcut) */
  residual?: tf.Tensor2D;
}

export interface BatchNormTrainResult {
  /** (rows, C) */
  y: tf.Tensor2D;
  /** batch mean (C) */
  mean: tf.Tensor1D;
  /** biased batch variance (C) */
  variance: tf.Tensor1D;
}

export interface RunningStatsOptions {
  momentum: number;
  /** values per channel in the batch */
  rows: number;
}

/** Column sums of a (rows, C) matrix. */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]));
}

/** Training-mode BatchNorm of x (rows, C); differentiable in x, γ, β and the residual. */
export function batchNormTrainComposed(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, { eps, relu, residual }: BatchNormTrainOptions): BatchNormTrainResult {
  const rows = x.shape[0];
  // the statistics are outputs too; the gradient reaches x through normalize's own gradient only
  const mean = tf.div(sumRows(x), rows) as tf.Tensor1D;
  const variance = tf.div(sumRows(tf.squaredDifference(x, mean) as tf.Tensor2D), rows) as tf.Tensor1D;
  const normalize = tf.customGrad(((xIn: tf.Tensor2D, gammaIn: tf.Tensor1D, betaIn: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const invStd = tf.rsqrt(tf.add(variance, eps)) as tf.Tensor1D;
    const scale = tf.mul(gammaIn, invStd) as tf.Tensor1D;
    const value = tf.add(tf.mul(xIn, scale), tf.sub(betaIn, tf.mul(mean, scale))) as tf.Tensor2D;
    save([xIn, mean, invStd, scale]);
    return {
      value,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sx, sMean, sInvStd, sScale] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const dBeta = sumRows(dy);
        // Σ dy·(x − mean) = Σ dy·x − mean·Σ dy
        const dyXc = tf.sub(sumRows(tf.mul(dy, sx) as tf.Tensor2D), tf.mul(sMean, dBeta));
        const dGamma = tf.mul(dyXc, sInvStd);
        const k = tf.mul(tf.mul(sScale, tf.square(sInvStd)), tf.div(dyXc, -rows));
        const c = tf.sub(tf.mul(sScale, tf.div(dBeta, -rows)), tf.mul(sMean, k));
        const dx = tf.add(tf.add(tf.mul(dy, sScale), tf.mul(sx, k)), c);
        return [dx, dGamma, dBeta];
      },
    };
  }) as never) as unknown as (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D;
  const normalized = normalize(x, gamma, beta);
  const sum = residual ? (tf.add(normalized, residual) as tf.Tensor2D) : normalized;
  return { y: relu ? tf.relu(sum) : sum, mean, variance };
}

/** [runningMean', runningVar'] = PyTorch's momentum update towards the batch mean and the unbiased batch variance. */
export function batchNormRunningStatsComposed(
  runningMean: tf.Tensor1D,
  runningVar: tf.Tensor1D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  { momentum, rows }: RunningStatsOptions,
): [tf.Tensor1D, tf.Tensor1D] {
  const unbias = (momentum * rows) / (rows - 1);
  return [
    tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(mean, momentum)) as tf.Tensor1D,
    tf.add(tf.mul(runningVar, 1 - momentum), tf.mul(variance, unbias)) as tf.Tensor1D,
  ];
}
