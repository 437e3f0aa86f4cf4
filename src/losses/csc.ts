// CSC as a tfjs op: the current backend's MnfCscLoss kernel (src/backend/kernel-names.ts) gives
// [loss, dL/dv, dL/dz] in one call, and the op's gradient multiplies the saved gradients by dy (no
// second call). On a backend without the kernel the op computes its composed twin (csc-composed.ts).
import { CscLoss, kernelsRegistered, type CscLossAttrs } from '../backend/kernel-names.js';
import { tf } from '../tf.js';
import { checkCscArgs, cscLossComposed, type CscOptions } from './csc-composed.js';
import { cscLossAcrossRanks } from './csc-global.js';
import type { RankGather } from './rank-gather.js';

export type { CscOptions } from './csc-composed.js';

if (!tf.getGradient(CscLoss)) {
  tf.registerGradient({
    kernelName: CscLoss,
    outputsToSave: [false, true, true],
    gradFunc: (dy, saved) => {
      const dLoss = Array.isArray(dy) ? dy[0]! : dy;
      const [dv, dz] = saved as [tf.Tensor, tf.Tensor];
      // τ's cosine is detached, so ã receives no gradient.
      return { v: () => tf.mul(dLoss, dv), z: () => tf.mul(dLoss, dz), aSel: () => tf.zerosLike(dv) };
    },
  });
}

/**
 * CSC loss (Xia et al. 2023; DESIGN.md): τ_ij = cos(v_i, ã_j) + θ (detached; θ when not calibrated),
 * P = softmax_j(v̂_i·ẑ_j / τ_ij), L = mean_i[−Σ_j M_ij log(P_ij + 1e−10) / Σ_j M_ij], M_ij = [y_i = y_j].
 * Differentiable with respect to v and z. v, z, aSel: (B, D) float32; labels: (B) int32.
 */
export function cscLoss(v: tf.Tensor2D, z: tf.Tensor2D, aSel: tf.Tensor2D, labels: tf.Tensor1D, opts: CscOptions & { across?: RankGather }): tf.Scalar {
  // a data-parallel step's CSC sees the global batch (csc-global.ts)
  if (opts.across && opts.across.size > 1) return cscLossAcrossRanks(v, z, aSel, labels, opts, opts.across);
  if (!kernelsRegistered(CscLoss)) return cscLossComposed(v, z, aSel, labels, opts);
  checkCscArgs(v, z, aSel, labels, opts);
  const attrs: CscLossAttrs = { theta: opts.theta, calibrated: opts.calibrated ?? true };
  const [loss, dv, dz] = tf.engine().runKernel(CscLoss, { v, z, aSel, labels } as unknown as tf.NamedTensorMap, attrs) as tf.Tensor[];
  dv!.dispose(); // the gradient keeps its own references (outputsToSave)
  dz!.dispose();
  return loss as tf.Scalar;
}
