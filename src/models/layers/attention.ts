// nn.MultiheadAttention (batch_first, dropout 0) for ONE query token per sample.
// Weights in tfjs layout: in_proj_weight (D, 3D) = PyTorch's (3D, D) transposed, columns
// [q | k | v]; out_proj.weight (D, D) transposed likewise.
import { tf } from '../../tf.js';
import type { ParamStore } from '../params.js';
import { filled, kaimingUniform, xavierUniform } from './init.js';

export interface AttentionOutput {
  /** (B, D) */
  output: tf.Tensor2D;
  /** (B, N) attention weights averaged over heads (PyTorch's average_attn_weights=True) */
  weights: tf.Tensor2D;
}

export class MultiHeadAttention {
  readonly inProjWeight: tf.Variable;
  readonly inProjBias: tf.Variable;
  readonly outProjWeight: tf.Variable;
  readonly outProjBias: tf.Variable;

  constructor(store: ParamStore, readonly name: string, readonly dim: number, readonly heads: number) {
    if (dim % heads !== 0) throw new Error(`${name}: dimension ${dim} is not divisible by ${heads} heads`);
    this.inProjWeight = store.param(`${name}.in_proj_weight`, [dim, 3 * dim], xavierUniform(store.rng, 3 * dim * dim, dim, 3 * dim));
    this.inProjBias = store.param(`${name}.in_proj_bias`, [3 * dim], filled(3 * dim, 0));
    this.outProjWeight = store.param(`${name}.out_proj.weight`, [dim, dim], kaimingUniform(store.rng, dim * dim, dim));
    this.outProjBias = store.param(`${name}.out_proj.bias`, [dim], filled(dim, 0));
  }

  /** query (B, D); keysValues (B, N, D) */
  apply(query: tf.Tensor2D, keysValues: tf.Tensor3D): AttentionOutput {
    const [b, n, d] = keysValues.shape;
    const h = this.heads;
    const hd = d / h;
    // Projecting through the whole (D, 3D) matrix and slicing the (small) outputs is cheaper than
    // splitting the weight's columns every step.
    const qAll = tf.fused.matMul({ a: query, b: this.inProjWeight as tf.Tensor2D, bias: this.inProjBias });
    const q = tf.mul(tf.slice(qAll, [0, 0], [b, d]), 1 / Math.sqrt(hd));
    const kvAll = tf.fused.matMul({ a: tf.reshape(keysValues, [b * n, d]) as tf.Tensor2D, b: this.inProjWeight as tf.Tensor2D, bias: this.inProjBias });
    const kv = tf.slice(kvAll, [0, d], [b * n, 2 * d]);
    // (B·N, 2D) → (2, B, h, N, hd)
    const kvHeads = tf.transpose(tf.reshape(kv, [b, n, 2, h, hd]), [2, 0, 3, 1, 4]);
    const [k, v] = tf.unstack(kvHeads, 0) as [tf.Tensor4D, tf.Tensor4D];
    const qHeads = tf.reshape(q, [b, h, 1, hd]);
    const attn = tf.softmax(tf.matMul(qHeads, k, false, true), -1); // (B, h, 1, N)
    const context = tf.reshape(tf.matMul(attn, v), [b, d]); // (B, h, 1, hd) → (B, D)
    const output = tf.fused.matMul({ a: context as tf.Tensor2D, b: this.outProjWeight as tf.Tensor2D, bias: this.outProjBias }) as tf.Tensor2D;
    const weights = tf.mean(tf.reshape(attn, [b, h, n]), 1) as tf.Tensor2D;
    return { output, weights };
  }
}
