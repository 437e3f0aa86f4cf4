// nn.MultiheadAttention (batch_first, dropout 0) for ONE query token per sample.
// Weights in tfjs layout: PyTorch's in_proj_weight (3D, D) is kept as its three row blocks,
// transposed to (D, D) each: q_proj_weight, k_proj_weight, v_proj_weight (the names PyTorch
// itself uses when kdim ≠ D); in_proj_bias (3D) as in PyTorch; out_proj.weight (D, D) transposed.
// Heads are separated with a (D, h) head-membership mask instead of reshapes and transposes of
// the keys and values (those are slow generic copies on the host backends).
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
  readonly qWeight: tf.Variable;
  readonly kWeight: tf.Variable;
  readonly vWeight: tf.Variable;
  readonly inProjBias: tf.Variable;
  readonly outProjWeight: tf.Variable;
  readonly outProjBias: tf.Variable;

  constructor(store: ParamStore, readonly name: string, readonly dim: number, readonly heads: number) {
    if (dim % heads !== 0) throw new Error(`${name}: dimension ${dim} is not divisible by ${heads} heads`);
    // xavier_uniform_ over PyTorch's whole (3D, D) in_proj_weight
    const inProj = xavierUniform(store.rng, 3 * dim * dim, dim, 3 * dim);
    const block = (i: number) => {
      const out = new Float32Array(dim * dim);
      for (let r = 0; r < dim; r++) for (let c = 0; c < dim; c++) out[c * dim + r] = inProj[(i * dim + r) * dim + c]!;
      return out;
    };
    this.qWeight = store.param(`${name}.q_proj_weight`, [dim, dim], block(0));
    this.kWeight = store.param(`${name}.k_proj_weight`, [dim, dim], block(1));
    this.vWeight = store.param(`${name}.v_proj_weight`, [dim, dim], block(2));
    this.inProjBias = store.param(`${name}.in_proj_bias`, [3 * dim], filled(3 * dim, 0));
    this.outProjWeight = store.param(`${name}.out_proj.weight`, [dim, dim], kaimingUniform(store.rng, dim * dim, dim));
    this.outProjBias = store.param(`${name}.out_proj.bias`, [dim], filled(dim, 0));
  }

  /** (D, h): 1 where channel d belongs to head j */
  private headMask(): tf.Tensor2D {
    const hd = this.dim / this.heads;
    const headOf = tf.tensor1d(Array.from({ length: this.dim }, (_, d) => Math.floor(d / hd)), 'int32');
    return tf.cast(tf.oneHot(headOf, this.heads), 'float32') as tf.Tensor2D;
  }

  /** query (B, D); keysValues (B, N, D) */
  apply(query: tf.Tensor2D, keysValues: tf.Tensor3D): AttentionOutput {
    const [b, n, d] = keysValues.shape;
    const hd = d / this.heads;
    const [bq, bk, bv] = tf.split(this.inProjBias, 3) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const q = tf.mul(tf.fused.matMul({ a: query, b: this.qWeight as tf.Tensor2D, bias: bq }), 1 / Math.sqrt(hd));
    const tokens = tf.reshape(keysValues, [b * n, d]) as tf.Tensor2D;
    const k = tf.reshape(tf.fused.matMul({ a: tokens, b: this.kWeight as tf.Tensor2D, bias: bk }), [b, n, d]) as tf.Tensor3D;
    const v = tf.reshape(tf.fused.matMul({ a: tokens, b: this.vWeight as tf.Tensor2D, bias: bv }), [b, n, d]) as tf.Tensor3D;
    const mask = this.headMask();
    const qPerHead = tf.mul(tf.reshape(q, [b, d, 1]), mask) as tf.Tensor3D; // (B, D, h)
    const scores = tf.transpose(tf.matMul(k, qPerHead), [0, 2, 1]); // (B, h, N)
    const attn = tf.softmax(scores, -1) as tf.Tensor3D;
    const perHead = tf.matMul(attn, v); // (B, h, D): every head's weights applied to all channels
    const context = tf.sum(tf.mul(perHead, tf.transpose(mask)), 1) as tf.Tensor2D; // keep each channel's own head
    const output = tf.fused.matMul({ a: context, b: this.outProjWeight as tf.Tensor2D, bias: this.outProjBias }) as tf.Tensor2D;
    return { output, weights: tf.mean(attn, 1) as tf.Tensor2D };
  }
}
