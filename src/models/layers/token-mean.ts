// Mean over the tokens of a (B, N, D) feature map as a batched (1×N)·(N×D) matrix product. Its
// gradient is a batched (N×1)·(1×D) product as well (matmul kernels on 'native'); tf.mean's
// gradient broadcasts dy over the middle axis, a slow generic element loop on the host backends.
import { tf } from '../../tf.js';

/** (B, N, D) → (B, D) */
export function meanOverTokens(x: tf.Tensor3D): tf.Tensor2D {
  const [b, n, d] = x.shape;
  return tf.tidy(() => tf.reshape(tf.matMul(tf.fill([b, 1, n], 1 / n), x), [b, d]) as tf.Tensor2D);
}
