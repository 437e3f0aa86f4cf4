// MNF triplet term (DESIGN.md): mean_i max(0, cos(v_i, a_i) − cos(v_i, ã_i) + margin):
// the filtered teacher feature ã should be closer to the student's v than the raw a.
import { tf } from '../tf.js';
import { cosineSimilarity } from './cosine.js';

export function tripletLoss(v: tf.Tensor2D, a: tf.Tensor2D, aTilde: tf.Tensor2D, margin: number): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.relu(tf.add(tf.sub(cosineSimilarity(v, a), cosineSimilarity(v, aTilde)), margin))) as tf.Scalar);
}
