// Modality Noise Filter (Xia et al. 2023; DESIGN.md):
//   g = σ(fc2(ReLU(BN(fc1([a ; mean_N(F)]))))),  ã = g ⊙ a,
//   o = MHA(query ã, keys/values F, 2 heads),  z = ReLU(BN(proj(o))),  p_sv = classifier(z).
import { tf } from '../tf.js';
import { BatchNorm, Linear, meanOverTokens, MultiHeadAttention } from './layers/index.js';
import type { BatchNormOptions } from './layers/batchnorm.js';
import type { ParamStore } from './params.js';

export interface MnfConfig {
  /** D: student feature size = teacher feature size after the teacher adapter */
  dim: number;
  numClasses: number;
  heads?: number;
}

export interface MnfOutput {
  /** (B, numClasses) auxiliary classifier logits (p_sv before softmax) */
  logits: tf.Tensor2D;
  /** (B, D) */
  z: tf.Tensor2D;
  /** (B, D) filtered teacher feature ã */
  aTilde: tf.Tensor2D;
  /** (B, D) gate values in (0, 1) */
  gate: tf.Tensor2D;
  /** (B, N) attention weights, averaged over heads */
  attention: tf.Tensor2D;
}

export class Mnf {
  readonly gateFc1: Linear;
  readonly gateBn: BatchNorm;
  readonly gateFc2: Linear;
  readonly attn: MultiHeadAttention;
  readonly proj: Linear;
  readonly projBn: BatchNorm;
  readonly classifier: Linear;

  /** `batchNorm`: its BatchNorms' options (the data-parallel SyncBatchNorm) */
  constructor(store: ParamStore, readonly cfg: MnfConfig, prefix = 'mnf', batchNorm: BatchNormOptions = {}) {
    const d = cfg.dim;
    const hidden = Math.floor(d / 2);
    this.gateFc1 = new Linear(store, `${prefix}.gate.fc1`, 2 * d, hidden);
    this.gateBn = new BatchNorm(store, `${prefix}.gate.bn`, hidden, batchNorm);
    this.gateFc2 = new Linear(store, `${prefix}.gate.fc2`, hidden, d);
    this.attn = new MultiHeadAttention(store, `${prefix}.attn`, d, cfg.heads ?? 2);
    this.proj = new Linear(store, `${prefix}.proj.fc`, d, d);
    this.projBn = new BatchNorm(store, `${prefix}.proj.bn`, d, batchNorm);
    this.classifier = new Linear(store, `${prefix}.classifier`, d, cfg.numClasses);
  }

  /** the gate's two weight matrices (the L1 term's targets): [W1, W2] */
  gateWeights(): [tf.Variable, tf.Variable] {
    return [this.gateFc1.weight, this.gateFc2.weight];
  }

  gateValues(featureMap: tf.Tensor3D, a: tf.Tensor2D, training: boolean, updateStats = true): tf.Tensor2D {
    const input = tf.concat([a, meanOverTokens(featureMap)], 1);
    const hidden = this.gateBn.apply(this.gateFc1.apply(input), training, { relu: true, updateStats });
    return tf.sigmoid(this.gateFc2.apply(hidden));
  }

  /** featureMap (B, N, D), a (B, D) */
  apply(featureMap: tf.Tensor3D, a: tf.Tensor2D, training: boolean, updateStats = true): MnfOutput {
    const d = this.cfg.dim;
    if (featureMap.rank !== 3 || featureMap.shape[2] !== d) throw new Error(`MNF: expected a feature map (B, N, ${d}), got [${featureMap.shape}]`);
    if (a.rank !== 2 || a.shape[1] !== d || a.shape[0] !== featureMap.shape[0]) {
      throw new Error(`MNF: expected teacher features (${featureMap.shape[0]}, ${d}), got [${a.shape}]`);
    }
    const gate = this.gateValues(featureMap, a, training, updateStats);
    const aTilde = tf.mul(gate, a) as tf.Tensor2D;
    const { output, weights } = this.attn.apply(aTilde, featureMap);
    const z = this.projBn.apply(this.proj.apply(output), training, { relu: true, updateStats });
    return { logits: this.classifier.apply(z), z, aTilde, gate, attention: weights };
  }
}
