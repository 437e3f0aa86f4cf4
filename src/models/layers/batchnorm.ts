// BatchNorm over the last (channel) axis with PyTorch's semantics (nn.BatchNorm1d/3d):
// training normalises with the biased batch variance and moves the running estimates by
// momentum 0.1 towards the batch mean and the UNBIASED batch variance; eval uses the running
// estimates. Training mode is the fused op batchNormTrain (+ residual)(+ ReLU) and the running
// statistics change only through the op batchNormRunningStats (batchnorm-ops.ts).
import { tf } from '../../tf.js';
import type { ParamStore } from '../params.js';
import { batchNormRunningStats, batchNormTrain } from './batchnorm-ops.js';
import { filled } from './init.js';

export const BN_MOMENTUM = 0.1;
export const BN_EPS = 1e-5;

export class BatchNorm {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;

  constructor(store: ParamStore, readonly name: string, readonly channels: number) {
    this.weight = store.param(`${name}.weight`, [channels], filled(channels, 1));
    this.bias = store.param(`${name}.bias`, [channels], filled(channels, 0));
    this.runningMean = store.buffer(`${name}.running_mean`, [channels], filled(channels, 0));
    this.runningVar = store.buffer(`${name}.running_var`, [channels], filled(channels, 1));
  }

  /**
   * x: (..., C) → BN(x), or ReLU(BN(x)) with relu; with a residual (x's shape) the sum
   * BN(x) + residual goes through the ReLU (a ResNet block's BN2 + shortcut + ReLU: one kernel).
   * In training mode the running statistics are updated unless updateStats is false (a second
   * pass over the same batch must not move them twice).
   */
  apply<T extends tf.Tensor>(x: T, training: boolean, opts: { relu?: boolean; updateStats?: boolean; residual?: T } = {}): T {
    const { relu = false, updateStats = true, residual } = opts;
    const c = this.channels;
    if (x.shape[x.rank - 1] !== c) throw new Error(`${this.name}: expected ${c} channels, got shape [${x.shape}]`);
    if (residual && !tf.util.arraysEqual(residual.shape, x.shape)) {
      throw new Error(`${this.name}: residual shape [${residual.shape}] differs from the input's [${x.shape}]`);
    }
    const x2 = tf.reshape(x, [-1, c]) as tf.Tensor2D;
    const r2 = residual && (tf.reshape(residual, [-1, c]) as tf.Tensor2D);
    if (!training) {
      const scale = tf.mul(this.weight, tf.rsqrt(tf.add(this.runningVar, BN_EPS)));
      const shift = tf.sub(this.bias, tf.mul(this.runningMean, scale));
      const y = tf.add(tf.mul(x2, scale), shift) as tf.Tensor2D;
      const sum = r2 ? tf.add(y, r2) : y;
      return tf.reshape(relu ? tf.relu(sum) : sum, x.shape) as T;
    }
    const rows = x2.shape[0];
    if (rows < 2) throw new Error(`${this.name}: training-mode BatchNorm needs more than 1 value per channel, got shape [${x.shape}]`);
    const { y, mean, variance } = batchNormTrain(x2, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D, { eps: BN_EPS, relu, residual: r2 });
    if (updateStats) {
      const [runningMean, runningVar] = batchNormRunningStats(this.runningMean as tf.Tensor1D, this.runningVar as tf.Tensor1D, mean, variance, { momentum: BN_MOMENTUM, rows });
      this.runningMean.assign(runningMean);
      this.runningVar.assign(runningVar);
    }
    tf.dispose([mean, variance]);
    return tf.reshape(y, x.shape) as T;
  }
}
