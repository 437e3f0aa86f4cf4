// BatchNorm over the last (channel) axis with PyTorch's semantics (nn.BatchNorm1d/3d):
// training normalises with the biased batch variance and moves the running estimates by
// momentum 0.1 towards the batch mean and the UNBIASED batch variance; eval uses the running
// estimates. Training mode is one custom op with few passes over the activations:
//   forward  y = x·scale + shift, scale = γ/√(var+eps), shift = β − mean·scale
//   backward dx = dy·scale + x·k + (c − mean·k), k = −scale·Σ(dy·(x−mean))/(n·(var+eps)),
//            c = −scale·Σdy/n;  dγ = Σ(dy·(x−mean))/√(var+eps);  dβ = Σdy
// Column sums run as a (1×rows)·(rows×C) matrix product, much faster than an axis-0 Sum.
import { tf } from '../../tf.js';
import type { ParamStore } from '../params.js';
import { batchNormTrainHost, hostBatchNormAvailable } from './batchnorm-host.js';
import { batchNormTrainNative, nativeBatchNormAvailable } from './batchnorm-native.js';
import { filled } from './init.js';

export const BN_MOMENTUM = 0.1;
export const BN_EPS = 1e-5;

const HOST_BACKENDS = ['cpu', 'native'];

/** The backing Float32Array of a host-backend tensor that no other tensor shares, else undefined. */
function soleHostArray(t: tf.Tensor): Float32Array | undefined {
  if (!HOST_BACKENDS.includes(tf.getBackend())) return undefined;
  const backend = tf.backend() as tf.KernelBackend & { refCount(dataId: object): number };
  if (backend.refCount(t.dataId) !== 1) return undefined;
  const values = backend.readSync(t.dataId);
  return values instanceof Float32Array ? values : undefined;
}

/** The backing Float32Array of a host-backend tensor (read only here). */
function hostValues(t: tf.Tensor): Float32Array | undefined {
  if (!HOST_BACKENDS.includes(tf.getBackend())) return undefined;
  const values = tf.backend().readSync(t.dataId);
  return values instanceof Float32Array ? values : undefined;
}

/**
 * running ← running·a + batch·b in place, rounded to float32 after each multiply and the add, as
 * tfjs's float32 mul/mul/add compute it (the products and sum of two floats are exact or
 * correctly rounded in double, so one fround each gives the same bits).
 */
function blendInPlace(running: Float32Array, batch: Float32Array, a: number, b: number): void {
  const fa = Math.fround(a);
  const fb = Math.fround(b);
  for (let i = 0; i < running.length; i++) running[i] = Math.fround(Math.fround(running[i]! * fa) + Math.fround(batch[i]! * fb));
}

/** Column sums of a (rows, C) matrix. */
function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]));
}

export class BatchNorm {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  private readonly normalizeTraining: (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D;
  private pendingMoments: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  /**
   * 'auto': the addon's fused kernels on backend 'native' (batchnorm-native.ts), the JS host
   * kernels on tfjs's cpu backend (they beat its single-threaded generic ops), the composed ops
   * elsewhere; 'native' / 'host' / 'composed' force one (tests compare them). A forced 'host' falls
   * back to the composed ops off the host backends; a forced 'native' off backend 'native' throws.
   */
  kernel: 'auto' | 'native' | 'host' | 'composed' = 'auto';
  /**
   * On the host backends (cpu, native) the running statistics are blended in place in their
   * variables' arrays (no tfjs ops: ~6 small kernels and allocations per layer and step);
   * false forces the composed ops (same numbers; tests compare them).
   */
  runningStatsInPlace = true;

  constructor(store: ParamStore, readonly name: string, readonly channels: number) {
    this.weight = store.param(`${name}.weight`, [channels], filled(channels, 1));
    this.bias = store.param(`${name}.bias`, [channels], filled(channels, 0));
    this.runningMean = store.buffer(`${name}.running_mean`, [channels], filled(channels, 0));
    this.runningVar = store.buffer(`${name}.running_var`, [channels], filled(channels, 1));
    this.normalizeTraining = tf.customGrad(((x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, save: tf.GradSaveFunc) => {
      const rows = x.shape[0];
      const mean = tf.div(sumRows(x), rows) as tf.Tensor1D;
      const variance = tf.div(sumRows(tf.squaredDifference(x, mean) as tf.Tensor2D), rows) as tf.Tensor1D;
      const invStd = tf.rsqrt(tf.add(variance, BN_EPS)) as tf.Tensor1D;
      const scale = tf.mul(gamma, invStd) as tf.Tensor1D;
      const value = tf.add(tf.mul(x, scale), tf.sub(beta, tf.mul(mean, scale))) as tf.Tensor2D;
      this.pendingMoments = { mean: tf.keep(mean), variance: tf.keep(variance) }; // customGrad's forward runs in a tidy
      save([x, mean, invStd, scale]);
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
    }) as never) as never;
  }

  /** The training-mode implementation `kernel` asks for, as available on the current backend. */
  private trainingKernel(): 'native' | 'host' | 'composed' {
    if (this.kernel === 'native') {
      if (!nativeBatchNormAvailable()) {
        throw new Error(`${this.name}: kernel 'native' needs backend 'native' with an addon that has the norm kernels (backend is '${tf.getBackend()}')`);
      }
      return 'native';
    }
    if (this.kernel === 'auto' && nativeBatchNormAvailable()) return 'native';
    const wantHost = this.kernel === 'host' || (this.kernel === 'auto' && tf.getBackend() === 'cpu');
    return wantHost && hostBatchNormAvailable() ? 'host' : 'composed';
  }

  /**
   * x: (..., C) → BN(x), or ReLU(BN(x)) with relu; with a residual (x's shape) the sum
   * BN(x) + residual goes through the ReLU (a ResNet block's BN2 + shortcut + ReLU: one kernel on
   * 'native'). In training mode the running statistics are updated unless updateStats is false (a
   * second pass over the same batch must not move them twice).
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
    /** [ReLU](y [+ residual]) for the paths that compose it */
    const finish = (y: tf.Tensor2D): tf.Tensor2D => {
      const sum = r2 ? (tf.add(y, r2) as tf.Tensor2D) : y;
      return relu ? tf.relu(sum) : sum;
    };
    if (!training) {
      const scale = tf.mul(this.weight, tf.rsqrt(tf.add(this.runningVar, BN_EPS)));
      const shift = tf.sub(this.bias, tf.mul(this.runningMean, scale));
      return tf.reshape(finish(tf.add(tf.mul(x2, scale), shift) as tf.Tensor2D), x.shape) as T;
    }
    const rows = x2.shape[0];
    if (rows < 2) throw new Error(`${this.name}: training-mode BatchNorm needs more than 1 value per channel, got shape [${x.shape}]`);
    let y: tf.Tensor2D;
    let mean: tf.Tensor1D;
    let variance: tf.Tensor1D;
    const kernel = this.trainingKernel();
    if (kernel === 'native') {
      [y, mean, variance] = batchNormTrainNative(x2, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D, BN_EPS, relu, r2);
    } else if (kernel === 'host') {
      // the host kernel fuses the ReLU only without a residual
      const fused = relu && !r2;
      [y, mean, variance] = batchNormTrainHost(x2, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D, BN_EPS, fused);
      if (!fused) y = finish(y);
    } else {
      y = finish(this.normalizeTraining(x2, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D));
      ({ mean, variance } = this.pendingMoments!);
      this.pendingMoments = undefined;
    }
    if (updateStats) this.updateRunningStats(mean, variance, rows);
    if (kernel === 'composed') tf.dispose([mean, variance]); // kept by normalizeTraining
    return tf.reshape(y, x.shape) as T;
  }

  /** Momentum update towards the batch mean and the unbiased batch variance (PyTorch's). */
  private updateRunningStats(mean: tf.Tensor1D, variance: tf.Tensor1D, rows: number): void {
    const m = BN_MOMENTUM;
    const unbias = (m * rows) / (rows - 1);
    if (this.runningStatsInPlace) {
      const runningMean = soleHostArray(this.runningMean);
      const runningVar = soleHostArray(this.runningVar);
      const batchMean = hostValues(mean);
      const batchVar = hostValues(variance);
      if (runningMean && runningVar && batchMean && batchVar) {
        blendInPlace(runningMean, batchMean, 1 - m, m);
        blendInPlace(runningVar, batchVar, 1 - m, unbias);
        return;
      }
    }
    this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
    this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, unbias)));
  }
}
