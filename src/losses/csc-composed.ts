// The composed twin of the CSC op (csc.ts), from tfjs ops: what the op computes on a backend without
// a MnfCscLoss kernel, the oracle the kernels are tested against and the benchmark's baseline.
// Semantics follow scripts/reference/torch_csc.py exactly.
import { tf } from '../tf.js';

export interface CscOptions {
  /** temperature offset θ (0.07 for UCF51, 0.2 for ActivityNet) */
  theta: number;
  /** τ_ij = cos(v_i, ã_j) + θ when true (default), τ = θ when false */
  calibrated?: boolean;
}

const NORM_EPS = 1e-12;
const LOG_EPS = 1e-10;

/** torch.nn.functional.normalize: x / max(‖x‖₂, 1e-12) row-wise; also returns 1 / max(‖x‖₂, 1e-12) and ‖x‖₂ > 1e-12. */
function normalizeRows(x: tf.Tensor2D): { unit: tf.Tensor2D; invNorm: tf.Tensor2D; above: tf.Tensor2D } {
  const norm = tf.norm(x, 2, 1, true) as tf.Tensor2D;
  const invNorm = tf.div(1, tf.maximum(norm, NORM_EPS)) as tf.Tensor2D;
  return { unit: tf.mul(x, invNorm), invNorm, above: tf.where(tf.greater(norm, NORM_EPS), 1, 0) as tf.Tensor2D };
}

/** Backward of normalizeRows: dx = (dû − û (û·dû)) / ‖x‖ (the projection term vanishes where the norm is clamped). */
function normalizeRowsGrad(n: ReturnType<typeof normalizeRows>, dUnit: tf.Tensor2D): tf.Tensor2D {
  const along = tf.mul(tf.sum(tf.mul(n.unit, dUnit), 1, true), n.above);
  return tf.mul(tf.sub(dUnit, tf.mul(n.unit, along)), n.invNorm);
}

/** Throws one line naming the argument when shapes, dtypes or θ are not what CSC expects. */
export function checkCscArgs(v: tf.Tensor, z: tf.Tensor, aSel: tf.Tensor, labels: tf.Tensor, opts: CscOptions): void {
  if (v.rank !== 2) throw new Error(`cscLoss: v must be rank 2 (B, D), got shape [${v.shape}]`);
  const [b, d] = v.shape as [number, number];
  for (const [name, t] of [['z', z], ['aSel', aSel]] as const) {
    if (t.rank !== 2 || t.shape[0] !== b || t.shape[1] !== d) {
      throw new Error(`cscLoss: ${name} must have the shape of v [${b}, ${d}], got [${t.shape}]`);
    }
  }
  for (const [name, t] of [['v', v], ['z', z], ['aSel', aSel]] as const) {
    if (t.dtype !== 'float32') throw new Error(`cscLoss: ${name} must be float32, got ${t.dtype}`);
  }
  if (labels.rank !== 1 || labels.shape[0] !== b) {
    throw new Error(`cscLoss: labels must have shape [${b}], got [${labels.shape}]`);
  }
  if (labels.dtype !== 'int32') throw new Error(`cscLoss: labels must be int32, got ${labels.dtype}`);
  if (b === 0) throw new Error('cscLoss: the batch is empty (B = 0)');
  if (!Number.isFinite(opts.theta)) throw new Error(`cscLoss: theta must be a finite number, got ${opts.theta}`);
  if (opts.calibrated === false && opts.theta <= 0) {
    throw new Error(`cscLoss: theta must be > 0 when calibrated is false (τ = θ), got ${opts.theta}`);
  }
}

/**
 * The CSC loss from tfjs ops. The backward is written out with tfjs ops too (tf.customGrad), so it
 * does not depend on which tfjs gradients are registered. aSel only enters the detached τ: its gradient is 0.
 */
export function cscLossComposed(
  v: tf.Tensor2D,
  z: tf.Tensor2D,
  aSel: tf.Tensor2D,
  labels: tf.Tensor1D,
  opts: CscOptions,
): tf.Scalar {
  checkCscArgs(v, z, aSel, labels, opts);
  const batch = v.shape[0];
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [vIn, zIn, aIn, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const vn = normalizeRows(vIn);
    const zn = normalizeRows(zIn);
    const tau =
      opts.calibrated === false
        ? tf.scalar(opts.theta)
        : tf.add(tf.matMul(vn.unit, normalizeRows(aIn).unit, false, true), opts.theta);
    const logits = tf.div(tf.matMul(vn.unit, zn.unit, false, true), tau);
    const p = tf.softmax(logits, 1);
    // M_ij as float32 values (tf.where rather than a cast, whose result would share the bool storage)
    const mask = tf.where(tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)), 1, 0);
    const count = tf.sum(mask, 1, true);
    const perRow = tf.div(tf.neg(tf.sum(tf.mul(mask, tf.log(tf.add(p, LOG_EPS))), 1, true)), count);
    const value = tf.mean(perRow) as tf.Scalar;
    save([vn.unit, vn.invNorm, vn.above, zn.unit, zn.invNorm, zn.above, tau, p, mask, count]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [vUnit, vInv, vAbove, zUnit, zInv, zAbove, tau, p, mask, count] = saved as tf.Tensor2D[];
      const vn = { unit: vUnit!, invNorm: vInv!, above: vAbove! };
      const zn = { unit: zUnit!, invNorm: zInv!, above: zAbove! };
      const dLoss = Array.isArray(dy) ? dy[0]! : dy;
      // dL/dlogit_ij = w_ij − P_ij Σ_k w_ik, w_ij = −M_ij P_ij / ((P_ij + 1e−10) m_i B)
      const w = tf.mul(tf.div(tf.mul(mask, tf.div(p, tf.add(p, LOG_EPS))), count), tf.div(tf.neg(dLoss), batch));
      const dLogits = tf.sub(w, tf.mul(p, tf.sum(w, 1, true)));
      const dS = tf.div(dLogits, tau) as tf.Tensor2D;
      const dv = normalizeRowsGrad(vn, tf.matMul(dS, zn.unit));
      const dz = normalizeRowsGrad(zn, tf.matMul(dS, vn.unit, true, false));
      return [dv, dz, tf.zerosLike(dv)];
    };
    return { value, gradFunc };
  });
  return loss(v, z, aSel) as tf.Scalar;
}
