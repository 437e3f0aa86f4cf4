// CSC over the global batch of a data-parallel step (issue 15; the seed's nn.DataParallel computes
// the loss on the gathered outputs of every GPU): v, z, ã and the labels of every rank are gathered,
// the fused CSC op computes the loss and its gradients over the whole batch, and each rank keeps the
// rows of the gradients that belong to its own share (as distributed CLIP-style losses do).
//
// Gradient convention: the data-parallel step averages gradients over the W ranks, and every other
// term is a mean over the rank's own share, so the averaged gradient is that of
// mean_r(local terms) + CSC(global batch) only if each rank's CSC gradient is W · ∂CSC/∂(own rows).
// The value is CSC over the global batch, the same on every rank.
import { CscLoss, kernelsRegistered, type CscLossAttrs } from '../backend/kernel-names.js';
import { tf } from '../tf.js';
import { checkCscArgs, type CscOptions } from './csc-composed.js';
import type { RankGather } from './rank-gather.js';

/** Each rank's rows as gathered: rank r's `counts[r]` rows start at row `starts[r]` of the global batch. */
interface GatheredRows {
  counts: number[];
  starts: number[];
  rows: number;
}

/** One gather of every rank's row count (a share may be short after bad samples were skipped). */
function gatherCounts(gather: RankGather, rows: number): GatheredRows {
  const counts = Array.from(gather.gatherNow(Float32Array.of(rows)), (c) => Math.round(c));
  const starts = counts.map((_, r) => counts.slice(0, r).reduce((a, b) => a + b, 0));
  return { counts, starts, rows: counts.reduce((a, b) => a + b, 0) };
}

/**
 * Packs this rank's v, z, ã (rows × D) and labels into one array of `capacity` rows (the largest
 * share: every rank sends the same length), gathers it, and unpacks every rank's real rows.
 */
function gatherRows(gather: RankGather, parts: Float32Array[], labels: Int32Array, d: number, layout: GatheredRows): { parts: Float32Array[]; labels: Int32Array } {
  const capacity = Math.max(...layout.counts);
  const stride = capacity * (parts.length * d + 1);
  const packed = new Float32Array(stride);
  parts.forEach((values, k) => packed.set(values, k * capacity * d));
  labels.forEach((label, i) => (packed[parts.length * capacity * d + i] = label));
  const all = gather.gatherNow(packed);
  const out = parts.map(() => new Float32Array(layout.rows * d));
  const outLabels = new Int32Array(layout.rows);
  layout.counts.forEach((count, r) => {
    const base = r * stride;
    out.forEach((target, k) => target.set(all.subarray(base + k * capacity * d, base + k * capacity * d + count * d), layout.starts[r] * d));
    for (let i = 0; i < count; i++) outLabels[layout.starts[r] + i] = all[base + parts.length * capacity * d + i];
  });
  return { parts: out, labels: outLabels };
}

/**
 * CSC (csc.ts) over the batch of every rank. v, z, aSel: this rank's (b, D) rows; labels (b) int32.
 * Differentiable with respect to v and z (the gradient convention above); aSel only enters the
 * detached τ. Needs the backend's fused MnfCscLoss kernel (every backend the addon serves has it).
 */
export function cscLossAcrossRanks(v: tf.Tensor2D, z: tf.Tensor2D, aSel: tf.Tensor2D, labels: tf.Tensor1D, opts: CscOptions, gather: RankGather): tf.Scalar {
  checkCscArgs(v, z, aSel, labels, opts);
  if (!kernelsRegistered(CscLoss)) {
    throw new Error('CSC over the global batch needs the fused MnfCscLoss kernel, which the current backend lacks (use --local-csc, or a backend the addon serves)');
  }
  const [b, d] = v.shape;
  const attrs: CscLossAttrs = { theta: opts.theta, calibrated: opts.calibrated ?? true };
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [vIn, zIn, aIn, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const layout = gatherCounts(gather, b);
    const own = [vIn, zIn, aIn].map((t) => t.dataSync() as Float32Array);
    const all = gatherRows(gather, own, labels.dataSync() as Int32Array, d, layout);
    const [vAll, zAll, aAll] = all.parts.map((values) => tf.tensor2d(values, [layout.rows, d]));
    const labelsAll = tf.tensor1d(all.labels, 'int32');
    const inputs = { v: vAll, z: zAll, aSel: aAll, labels: labelsAll } as unknown as tf.NamedTensorMap;
    const [value, dvAll, dzAll] = tf.engine().runKernel(CscLoss, inputs, attrs) as tf.Tensor2D[];
    const start = layout.starts[gather.rank];
    const scale = gather.size;
    const dv = tf.mul(tf.slice(dvAll!, [start, 0], [b, d]), scale);
    const dz = tf.mul(tf.slice(dzAll!, [start, 0], [b, d]), scale);
    save([dv, dz]);
    return {
      value: tf.reshape(value!, []) as tf.Scalar,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const dLoss = Array.isArray(dy) ? dy[0]! : dy;
        return [tf.mul(dLoss, saved[0]!), tf.mul(dLoss, saved[1]!), tf.zerosLike(saved[0]!)];
      },
    };
  });
  return loss(v, z, aSel) as tf.Scalar;
}
