// nn.CrossEntropyLoss (mean over the batch) from logits and integer labels.
import { tf } from '../tf.js';

export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits, 1);
    const picked = tf.sum(tf.mul(logProbs, tf.cast(tf.oneHot(labels, logits.shape[1]), 'float32')), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}
