// SyncBatchNorm (PyTorch's nn.SyncBatchNorm): training-mode BatchNorm over the rows of every rank
// at once, each rank holding its own part of the global batch of N rows.
//   forward   one cross-rank sum of [n, Σx, M2, (Σx)²/n] per channel (n the rank's rows, M2 its
//             centred Σ(x − x̄)²) gives N = Σn, mean = ΣΣx/N and the global centred sum of squares
//             ΣM2 + (Σ(Σx)²/n − (ΣΣx)²/N) (the pairwise combination of Chan et al. 1979, which keeps
//             each rank's spread exact and cancels only between the ranks' means);
//             y = [ReLU](γ·x̂ + β [+ residual]), x̂ = (x − mean)/√(var + eps), var = M2_global/N
//   backward  one cross-rank sum of [Σg, Σg·x̂] (g: the gradient reaching γ·x̂ + β) gives the global
//             sums; dx = γ/√(var + eps)·(g − ΣΣg/N − x̂·ΣΣg·x̂/N) (PyTorch's batch_norm_backward_elemt);
//             dγ = Σg·x̂ and dβ = Σg over this rank's rows: data-parallel training sums them over ranks.
// Every rank must call it for the same BatchNorms in the same order (each call is a collective).
import { tf } from '../../tf.js';
import { sumRows, type BatchNormTrainOptions, type BatchNormTrainResult } from './batchnorm-composed.js';
import type { CrossRankSum } from './cross-rank-sum.js';

export interface SyncBatchNormOptions extends BatchNormTrainOptions {
  /** the sum over the ranks sharing the batch */
  sum: CrossRankSum;
}

export interface SyncBatchNormResult extends BatchNormTrainResult {
  /** rows of the global batch, N (the running variance's unbiasing count) */
  count: number;
}

/** sum.sumNow(values), checked to answer one value per value sent. */
function sumOverRanks(sum: CrossRankSum, values: Float32Array, what: string): Float32Array {
  const total = sum.sumNow(values);
  if (!(total instanceof Float32Array) || total.length !== values.length) {
    throw new Error(`SyncBatchNorm ${what}: the cross-rank sum returned ${total instanceof Float32Array ? total.length : 'no'} values for ${values.length}`);
  }
  return total;
}

interface GlobalMoments {
  count: number;
  mean: Float32Array;
  /** biased */
  variance: Float32Array;
}

function globalMoments(x: tf.Tensor2D, sum: CrossRankSum): GlobalMoments {
  const [rows, c] = x.shape;
  const local = tf.tidy(() => {
    const colSum = sumRows(x);
    return tf.concat([colSum, sumRows(tf.squaredDifference(x, tf.div(colSum, rows)) as tf.Tensor2D)]);
  });
  const moments = local.dataSync();
  local.dispose();
  const packed = new Float32Array(1 + 3 * c);
  packed[0] = rows;
  for (let j = 0; j < c; j++) {
    const s = moments[j]!;
    packed[1 + j] = s;
    packed[1 + c + j] = moments[c + j]!;
    packed[1 + 2 * c + j] = (s * s) / rows;
  }
  const total = sumOverRanks(sum, packed, 'statistics');
  const count = Math.round(total[0]!);
  if (count < 2) throw new Error(`SyncBatchNorm: training mode needs more than 1 value per channel over all ranks, got ${count}`);
  const mean = new Float32Array(c);
  const variance = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const s = total[1 + j]!;
    const between = Math.max(0, total[1 + 2 * c + j]! - (s * s) / count);
    mean[j] = s / count;
    variance[j] = (total[1 + c + j]! + between) / count;
  }
  return { count, mean, variance };
}

function checkArguments(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, { sum, residual }: SyncBatchNormOptions): void {
  if (x.rank !== 2) throw new Error(`SyncBatchNorm: expected x of shape (rows, C), got shape [${x.shape}]`);
  const c = x.shape[1];
  if (gamma.rank !== 1 || gamma.shape[0] !== c || beta.rank !== 1 || beta.shape[0] !== c) {
    throw new Error(`SyncBatchNorm: expected γ and β of shape [${c}], got [${gamma.shape}] and [${beta.shape}]`);
  }
  if (residual && !tf.util.arraysEqual(residual.shape, x.shape)) {
    throw new Error(`SyncBatchNorm: residual shape [${residual.shape}] differs from the input's [${x.shape}]`);
  }
  if (x.shape[0] < 1) throw new Error(`SyncBatchNorm: expected at least 1 row on each rank, got shape [${x.shape}]`);
  if (!Number.isInteger(sum.size) || sum.size < 1) throw new Error(`SyncBatchNorm: expected a cross-rank sum over 1 or more ranks, got size ${sum.size}`);
}

/**
 * Training-mode BatchNorm of this rank's rows x (rows, C) with the statistics of the global batch:
 * y = [ReLU](BN(x) [+ residual]), the global mean and biased variance, and the global row count.
 * Differentiable in x, γ, β and the residual. One cross-rank sum forward, one backward.
 */
export function batchNormTrainSync(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, opts: SyncBatchNormOptions): SyncBatchNormResult {
  checkArguments(x, gamma, beta, opts);
  const { eps, relu, residual, sum } = opts;
  const moments = globalMoments(x, sum);
  const { count } = moments;
  const mean = tf.tensor1d(moments.mean);
  const variance = tf.tensor1d(moments.variance);
  const invStd = tf.tensor1d(moments.variance.map((v) => 1 / Math.sqrt(v + eps)));
  const normalize = tf.customGrad(((xIn: tf.Tensor2D, gammaIn: tf.Tensor1D, betaIn: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const scale = tf.mul(gammaIn, invStd) as tf.Tensor1D;
    const value = tf.add(tf.mul(xIn, scale), tf.sub(betaIn, tf.mul(mean, scale))) as tf.Tensor2D;
    save([xIn, mean, invStd, scale]);
    return {
      value,
      gradFunc: (g: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sx, sMean, sInvStd, sScale] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const c = sx.shape[1];
        const xHat = tf.mul(tf.sub(sx, sMean), sInvStd) as tf.Tensor2D;
        const dBeta = sumRows(g);
        const dGamma = sumRows(tf.mul(g, xHat) as tf.Tensor2D);
        const local = tf.concat([dBeta, dGamma]);
        const totals = sumOverRanks(sum, Float32Array.from(local.dataSync()), 'gradient');
        local.dispose();
        // dx = g·scale + x̂·k + b, k = −scale·ΣΣg·x̂/N, b = −scale·ΣΣg/N
        const k = tf.mul(sScale, tf.tensor1d(totals.subarray(c).map((v) => -v / count)));
        const b = tf.mul(sScale, tf.tensor1d(totals.subarray(0, c).map((v) => -v / count)));
        const dx = tf.add(tf.add(tf.mul(g, sScale), tf.mul(xHat, k)), b);
        return [dx, dGamma, dBeta];
      },
    };
  }) as never) as unknown as (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D;
  const normalized = normalize(x, gamma, beta);
  invStd.dispose();
  const y = tf.tidy(() => {
    const withResidual = residual ? (tf.add(normalized, residual) as tf.Tensor2D) : normalized;
    return relu ? (tf.relu(withResidual) as tf.Tensor2D) : withResidual;
  });
  if (y !== normalized) normalized.dispose();
  return { y, mean, variance, count };
}
