// torch's .detach(): the identity whose gradient is zero.
import { tf } from '../tf.js';

export const detach = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as never) as <T extends tf.Tensor>(x: T) => T;
