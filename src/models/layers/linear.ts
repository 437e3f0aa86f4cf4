// nn.Linear with the weight stored transposed, (in, out), so y = x·W + b.
import { tf } from '../../tf.js';
import type { ParamStore } from '../params.js';
import { kaimingUniform } from './init.js';

export class Linear {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(store: ParamStore, readonly name: string, readonly inFeatures: number, readonly outFeatures: number) {
    this.weight = store.param(`${name}.weight`, [inFeatures, outFeatures], kaimingUniform(store.rng, inFeatures * outFeatures, inFeatures));
    this.bias = store.param(`${name}.bias`, [outFeatures], kaimingUniform(store.rng, outFeatures, inFeatures));
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.fused.matMul({ a: x, b: this.weight as tf.Tensor2D, bias: this.bias }) as tf.Tensor2D;
  }
}
