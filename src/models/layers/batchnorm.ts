// BatchNorm over the last (channel) axis with PyTorch's semantics (nn.BatchNorm1d/3d):
// training normalises with the biased batch variance and moves the running estimates by
// momentum 0.1 towards the batch mean and the UNBIASED batch variance; eval uses the running
// estimates. Training mode is the fused op batchNormTrain (+ residual)(+ ReLU) and the running
// statistics change only through the op batchNormRunningStats (batchnorm-ops.ts). Given a
// CrossRankSum over more than one rank, training mode is SyncBatchNorm (batchnorm-sync.ts): the
// statistics of the global batch, every rank's rows together.
import { tf } from '../../tf.js';
import type { ParamStore } from '../params.js';
import { batchNormRunningStats, batchNormTrain } from './batchnorm-ops.js';
import { batchNormTrainSync } from './batchnorm-sync.js';
import type { CrossRankSum } from './cross-rank-sum.js';
import { filled } from './init.js';

export const BN_MOMENTUM = 0.1;
export const BN_EPS = 1e-5;

export interface BatchNormOptions {
  /** the ranks of data-parallel training, whose batches training mode normalises together */
  sync?: CrossRankSum;
}

export class BatchNorm {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  /** set only over more than one rank: a single process keeps the fused op */
  private readonly sync?: CrossRankSum;

  constructor(store: ParamStore, readonly name: string, readonly channels: number, opts: BatchNormOptions = {}) {
    if (opts.sync && opts.sync.size > 1) this.sync = opts.sync;
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
    const gamma = this.weight as tf.Tensor1D;
    const beta = this.bias as tf.Tensor1D;
    if (!this.sync && x2.shape[0] < 2) throw new Error(`${this.name}: training-mode BatchNorm needs more than 1 value per channel, got shape [${x.shape}]`);
    const { y, mean, variance, rows } = this.sync
      ? this.trainSync(x2, gamma, beta, relu, r2)
      : { ...batchNormTrain(x2, gamma, beta, { eps: BN_EPS, relu, residual: r2 }), rows: x2.shape[0] };
    if (updateStats) {
      const [runningMean, runningVar] = batchNormRunningStats(this.runningMean as tf.Tensor1D, this.runningVar as tf.Tensor1D, mean, variance, { momentum: BN_MOMENTUM, rows });
      this.runningMean.assign(runningMean);
      this.runningVar.assign(runningVar);
    }
    tf.dispose([mean, variance]);
    return tf.reshape(y, x.shape) as T;
  }

  private trainSync(x2: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, relu: boolean, residual?: tf.Tensor2D) {
    try {
      const { count, ...result } = batchNormTrainSync(x2, gamma, beta, { eps: BN_EPS, relu, residual, sum: this.sync! });
      return { ...result, rows: count };
    } catch (err) {
      throw new Error(`${this.name}: ${(err as Error).message}`, { cause: err });
    }
  }
}
