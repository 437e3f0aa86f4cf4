// L1 on the MNF gate's weights: weight·(Σ|W1| + Σ|W2|). The seed's loop only reached W2;
// original = true reproduces that (RunConfig.l1Original, --l1-original).
import { tf } from '../tf.js';

export function gateL1(w1: tf.Tensor, w2: tf.Tensor, weight: number, original: boolean): tf.Scalar {
  return tf.tidy(() => {
    const sumAbs = original ? tf.sum(tf.abs(w2)) : tf.add(tf.sum(tf.abs(w1)), tf.sum(tf.abs(w2)));
    return tf.mul(sumAbs, weight) as tf.Scalar;
  });
}
