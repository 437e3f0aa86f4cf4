// The composed twin of the Adam update op (adam-update.ts), from tfjs ops: what the op computes on
// a backend without a MnfAdamUpdate kernel, and the oracle the kernels are tested against.
import type { AdamHyper } from '../backend/kernel-names.js';
import { tf } from '../tf.js';

/** One parameter's tensors for an Adam step. */
export interface AdamSlotTensors {
  param: tf.Tensor;
  grad: tf.Tensor;
  /** first moment (exp_avg) */
  m: tf.Tensor;
  /** second moment (exp_avg_sq) */
  v: tf.Tensor;
  /** buffers no other tensor uses, which a kernel may write the new value and moments into (the composed twin ignores them) */
  out?: { param: tf.Tensor; m: tf.Tensor; v: tf.Tensor };
}

export type { AdamHyper };

/** The new value and moments of one parameter. */
export interface AdamSlotUpdate {
  param: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
}

/** torch.optim.Adam's single-tensor step:
 *   g ← grad + wd·p;  m' = β1·m + (1−β1)·g;  v' = β2·v + (1−β2)·g²;  p' = p − stepSize·m' / (√v' / bc2Sqrt + eps) */
export function adamUpdateComposed(slots: AdamSlotTensors[], h: AdamHyper): AdamSlotUpdate[] {
  return slots.map(({ param, grad, m: m0, v: v0 }) => {
    const g = h.weightDecay !== 0 ? tf.add(grad, tf.mul(param, h.weightDecay)) : grad;
    const m = tf.add(tf.mul(m0, h.beta1), tf.mul(g, 1 - h.beta1));
    const v = tf.add(tf.mul(v0, h.beta2), tf.mul(tf.square(g), 1 - h.beta2));
    const denom = tf.add(tf.div(tf.sqrt(v), h.bc2Sqrt), h.eps);
    return { param: tf.sub(param, tf.mul(tf.div(m, denom), h.stepSize)), m, v };
  });
}
