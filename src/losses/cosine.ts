// F.cosine_similarity along the feature axis: x·y / max(‖x‖·‖y‖, 1e-8), one value per row.
import { tf } from '../tf.js';

export function cosineSimilarity(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(x, y), 1);
    const norms = tf.mul(tf.norm(x, 2, 1), tf.norm(y, 2, 1));
    return tf.div(dot, tf.maximum(norms, 1e-8)) as tf.Tensor1D;
  });
}

/** feature KD: mean_i (1 − cos(v_i, t_i)) */
export function cosineDistance(v: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sub(1, cosineSimilarity(v, target))) as tf.Scalar);
}
