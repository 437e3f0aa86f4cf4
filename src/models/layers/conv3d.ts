// 3-D convolution without bias (nn.Conv3d(bias=False)) on NDHWC activations, filter DHWIO
// (kd, kh, kw, in, out). PyTorch pads symmetrically, which tf.conv3d's 'same' does not do for
// even inputs and strides of 2, so the factorised kernels run as tf.conv2d with explicit padding:
//   (1, kh, kw), stride (1, s, s)  → conv2d over (B·T, H, W, C)
//   (kd, 1, 1),  stride (s, 1, 1)  → conv2d over (B, T, H·W, C) with a (kd, 1) kernel
//   (1, 1, 1),   no padding        → tf.conv3d 'valid' (any stride)
import { tf } from '../../tf.js';
import type { ParamStore } from '../params.js';
import { kaimingUniform } from './init.js';

export type Triple = [number, number, number];

export class Conv3d {
  readonly weight: tf.Variable;

  constructor(
    store: ParamStore,
    readonly name: string,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: Triple,
    readonly stride: Triple = [1, 1, 1],
    readonly padding: Triple = [0, 0, 0],
  ) {
    const [kd, kh, kw] = kernel;
    const fanIn = inChannels * kd * kh * kw;
    this.weight = store.param(`${name}.weight`, [kd, kh, kw, inChannels, outChannels], kaimingUniform(store.rng, fanIn * outChannels, fanIn));
    const spatialOnly = kd === 1 && stride[0] === 1 && padding[0] === 0;
    const temporalOnly = kh === 1 && kw === 1 && stride[1] === 1 && stride[2] === 1 && padding[1] === 0 && padding[2] === 0;
    const unpadded = padding.every((p) => p === 0);
    if (!spatialOnly && !temporalOnly && !unpadded) {
      throw new Error(`${name}: kernel [${kernel}] with padding [${padding}] is not a (1,k,k), (k,1,1) or unpadded convolution`);
    }
  }

  apply(x: tf.Tensor5D): tf.Tensor5D {
    const [b, t, h, w, c] = x.shape;
    const [kd, kh, kw] = this.kernel;
    const [sd, sh, sw] = this.stride;
    const [pd, ph, pw] = this.padding;
    const out = this.outChannels;
    if (kd === 1 && sd === 1 && pd === 0) {
      const filter = tf.reshape(this.weight, [kh, kw, c, out]) as tf.Tensor4D;
      const y = tf.conv2d(tf.reshape(x, [b * t, h, w, c]) as tf.Tensor4D, filter, [sh, sw], [[0, 0], [ph, ph], [pw, pw], [0, 0]]);
      return tf.reshape(y, [b, t, y.shape[1], y.shape[2], out]);
    }
    if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0) {
      const filter = tf.reshape(this.weight, [kd, 1, c, out]) as tf.Tensor4D;
      const y = tf.conv2d(tf.reshape(x, [b, t, h * w, c]) as tf.Tensor4D, filter, [sd, 1], [[0, 0], [pd, pd], [0, 0], [0, 0]]);
      return tf.reshape(y, [b, y.shape[1], h, w, out]);
    }
    return tf.conv3d(x, this.weight as tf.Tensor5D, this.stride, 'valid');
  }
}
