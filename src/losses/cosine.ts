// F.cosine_similarity along the feature axis, as torch 1.13 computes it (eps = 1e-8):
//   cos = (x / max(‖x‖, eps)) · (y / max(‖y‖, eps)), one value per row.
// Its gradient is written out (tf.customGrad) because autodiff through tf.norm is 0/0 = NaN at a zero
// row (an all-zero teacher feature is legal: a silent video). Torch 1.13's autograd gives, with
// n_x = max(‖x‖, eps):  ∂cos/∂x = y / (n_x n_y) − cos · x / n_x²  (and symmetrically for y), finite
// everywhere (checked against torch in test/fixtures/reference/cosine.json, zero and tiny rows included).
import { tf } from '../tf.js';

const COSINE_EPS = 1e-8;

export function cosineSimilarity(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  const cosine = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, yIn, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const xNorm = tf.maximum(tf.norm(xIn, 2, 1, true), COSINE_EPS) as tf.Tensor2D;
    const yNorm = tf.maximum(tf.norm(yIn, 2, 1, true), COSINE_EPS) as tf.Tensor2D;
    const value = tf.div(tf.sum(tf.mul(xIn, yIn), 1, true), tf.mul(xNorm, yNorm)) as tf.Tensor2D;
    save([xIn, yIn, xNorm, yNorm, value]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [x, y, nx, ny, cos] = saved as tf.Tensor2D[];
      const dCos = tf.reshape(Array.isArray(dy) ? dy[0]! : dy, [-1, 1]);
      const cross = tf.div(dCos, tf.mul(nx!, ny!));
      const dx = tf.sub(tf.mul(y!, cross), tf.mul(x!, tf.div(tf.mul(dCos, cos!), tf.square(nx!))));
      const dyIn = tf.sub(tf.mul(x!, cross), tf.mul(y!, tf.div(tf.mul(dCos, cos!), tf.square(ny!))));
      return [dx, dyIn];
    };
    return { value: tf.reshape(value, [-1]) as tf.Tensor1D, gradFunc };
  });
  return cosine(x, y) as tf.Tensor1D;
}

/** feature KD: mean_i (1 − cos(v_i, t_i)) */
export function cosineDistance(v: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sub(1, cosineSimilarity(v, target))) as tf.Scalar);
}
