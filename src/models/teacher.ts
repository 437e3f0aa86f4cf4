// Teacher features enter the method at the student's feature size D. When the data's teacherDim
// is a multiple of D (512-d CNN14 features with a small synthetic student), consecutive groups of
// teacherDim/D channels are averaged: non-negative features stay non-negative, so
// τ = cos(v, ã) + θ stays ≥ θ. With teacherDim = D (the paper) this is the identity.
import type { ModelConfig } from '../config/types.js';
import { tf } from '../tf.js';

export function checkTeacherDim(cfg: ModelConfig): void {
  if (cfg.teacherDim < cfg.featureDim || cfg.teacherDim % cfg.featureDim !== 0) {
    throw new Error(`model.teacherDim (${cfg.teacherDim}) must be a multiple of model.featureDim (${cfg.featureDim})`);
  }
}

/** a: (B, teacherDim) → (B, D) */
export function adaptTeacher(a: tf.Tensor2D, featureDim: number): tf.Tensor2D {
  const [b, dim] = a.shape;
  if (dim === featureDim) return a;
  return tf.mean(tf.reshape(a, [b, featureDim, dim / featureDim]), 2) as tf.Tensor2D;
}
