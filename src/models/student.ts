// R(2+1)D student (Tran et al. 2018) on NDHWC clips.
//
// Stem: a (3,7,7) convolution with stride (1,2,2) factorised as (2+1)D, as in Hara et al.'s
// resnet2p1d (the 3D-ResNets code the seed builds on): Conv(1,7,7)/s(1,2,2) 3→M, BN, ReLU,
// Conv(3,1,1) M→C0, BN, ReLU, with M from the (2+1)D formula (83 for C0 = 64). We chose it over
// torchvision's R2Plus1dStem (fixed 45 mid channels) because it keeps DESIGN's "(3,7,7) stride
// (1,2,2)" and the mid-channel formula, and over a full 3-D (3,7,7) conv because every other
// convolution of the network is factorised too. No max-pool (torchvision's video ResNets).
//
// Stages: channels C0..C3 = round(w·64), round(w·128), round(w·256), D; strides 1,2,2,2 in time
// and space; blocks per stage from ModelConfig.layers. Block: Conv2Plus1D(s) → BN → ReLU →
// Conv2Plus1D(1) → BN, plus a shortcut Conv(1,1,1)/s + BN when the shape changes, then ReLU.
// Conv2Plus1D(Cin→Cout, s): Conv(1,3,3)/s(1,s,s) → BN → ReLU → Conv(3,1,1)/s(s,1,1), with
// M = ⌊t·d·d·Cin·Cout / (d·d·Cin + t·Cout)⌋ computed per convolution (t = 3, d = 3).
import type { ModelConfig } from '../config/types.js';
import { tf } from '../tf.js';
import type { BatchNormOptions } from './layers/batchnorm.js';
import type { CrossRankSum } from './layers/cross-rank-sum.js';
import { BatchNorm, Conv3d, Linear, meanOverTokens } from './layers/index.js';
import { ParamStore } from './params.js';

/** Mid channels of a (2+1)D factorisation of a (t, d, d) convolution (R(2+1)D paper, eq. in §3.5). */
export function midChannels(t: number, d: number, cin: number, cout: number): number {
  return Math.floor((t * d * d * cin * cout) / (d * d * cin + t * cout));
}

export function stageChannels(cfg: ModelConfig): [number, number, number, number] {
  const scaled = (c: number) => Math.max(1, Math.round(c * cfg.width));
  return [scaled(64), scaled(128), scaled(256), cfg.featureDim];
}

class Conv2Plus1D {
  readonly spatial: Conv3d;
  readonly bn: BatchNorm;
  readonly temporal: Conv3d;

  constructor(store: ParamStore, name: string, cin: number, cout: number, stride: number, bnOpts: BatchNormOptions, t = 3, d = 3) {
    const mid = midChannels(t, d, cin, cout);
    const pd = Math.floor(t / 2);
    const ps = Math.floor(d / 2);
    this.spatial = new Conv3d(store, `${name}.spatial`, cin, mid, [1, d, d], [1, stride, stride], [0, ps, ps]);
    this.bn = new BatchNorm(store, `${name}.bn`, mid, bnOpts);
    this.temporal = new Conv3d(store, `${name}.temporal`, mid, cout, [t, 1, 1], [stride, 1, 1], [pd, 0, 0]);
  }

  apply(x: tf.Tensor5D, training: boolean): tf.Tensor5D {
    return this.temporal.apply(this.bn.apply(this.spatial.apply(x), training, { relu: true }));
  }
}

class BasicBlock {
  readonly conv1: Conv2Plus1D;
  readonly bn1: BatchNorm;
  readonly conv2: Conv2Plus1D;
  readonly bn2: BatchNorm;
  readonly downsample?: { conv: Conv3d; bn: BatchNorm };

  constructor(store: ParamStore, name: string, cin: number, cout: number, stride: number, bnOpts: BatchNormOptions) {
    this.conv1 = new Conv2Plus1D(store, `${name}.conv1`, cin, cout, stride, bnOpts);
    this.bn1 = new BatchNorm(store, `${name}.bn1`, cout, bnOpts);
    this.conv2 = new Conv2Plus1D(store, `${name}.conv2`, cout, cout, 1, bnOpts);
    this.bn2 = new BatchNorm(store, `${name}.bn2`, cout, bnOpts);
    if (stride !== 1 || cin !== cout) {
      this.downsample = {
        conv: new Conv3d(store, `${name}.downsample.conv`, cin, cout, [1, 1, 1], [stride, stride, stride]),
        bn: new BatchNorm(store, `${name}.downsample.bn`, cout, bnOpts),
      };
    }
  }

  apply(x: tf.Tensor5D, training: boolean): tf.Tensor5D {
    const y = this.bn1.apply(this.conv1.apply(x, training), training, { relu: true });
    const shortcut = this.downsample ? this.downsample.bn.apply(this.downsample.conv.apply(x), training) : x;
    // ReLU(BN2(conv2(y)) + shortcut)
    return this.bn2.apply(this.conv2.apply(y, training), training, { relu: true, residual: shortcut });
  }
}

export interface StudentOutput {
  /** (B, N, D), N = T'·H'·W' tokens in (t, h, w) row-major order */
  featureMap: tf.Tensor3D;
  /** (B, D) mean over the tokens */
  pooled: tf.Tensor2D;
  /** (B, numClasses) */
  logits: tf.Tensor2D;
}

export interface R2Plus1DOptions {
  /** data-parallel training's ranks: every BatchNorm becomes a SyncBatchNorm over them */
  batchNormSync?: CrossRankSum;
}

export class R2Plus1D {
  readonly store: ParamStore;
  private readonly stem: { spatial: Conv3d; bnSpatial: BatchNorm; temporal: Conv3d; bn: BatchNorm };
  private readonly stages: BasicBlock[][];
  private readonly fc: Linear;

  constructor(readonly cfg: ModelConfig, seed: number, opts: R2Plus1DOptions = {}) {
    const store = (this.store = new ParamStore(seed));
    const bnOpts: BatchNormOptions = { sync: opts.batchNormSync };
    const channels = stageChannels(cfg);
    const stemMid = midChannels(3, 7, 3, channels[0]);
    this.stem = {
      spatial: new Conv3d(store, 'stem.spatial', 3, stemMid, [1, 7, 7], [1, 2, 2], [0, 3, 3]),
      bnSpatial: new BatchNorm(store, 'stem.bn_spatial', stemMid, bnOpts),
      temporal: new Conv3d(store, 'stem.temporal', stemMid, channels[0], [3, 1, 1], [1, 1, 1], [1, 0, 0]),
      bn: new BatchNorm(store, 'stem.bn', channels[0], bnOpts),
    };
    let cin = channels[0];
    this.stages = channels.map((cout, i) =>
      Array.from({ length: cfg.layers[i]! }, (_, j) => {
        const block = new BasicBlock(store, `layer${i + 1}.${j}`, j === 0 ? cin : cout, cout, j === 0 && i > 0 ? 2 : 1, bnOpts);
        cin = cout;
        return block;
      }),
    );
    this.fc = new Linear(store, 'fc', cfg.featureDim, cfg.numClasses);
  }

  /** x: (B, T, H, W, 3) */
  forward(x: tf.Tensor5D, training: boolean): StudentOutput {
    if (x.rank !== 5 || x.shape[4] !== 3) throw new Error(`R2Plus1D: expected clips (B, T, H, W, 3), got shape [${x.shape}]`);
    const { spatial, bnSpatial, temporal, bn } = this.stem;
    let y = bn.apply(temporal.apply(bnSpatial.apply(spatial.apply(x), training, { relu: true })), training, { relu: true });
    for (const stage of this.stages) for (const block of stage) y = block.apply(y, training);
    const [b, t, h, w, d] = y.shape;
    const featureMap = tf.reshape(y, [b, t * h * w, d]) as tf.Tensor3D;
    const pooled = meanOverTokens(featureMap);
    return { featureMap, pooled, logits: this.fc.apply(pooled) };
  }

  trainableVariables(): tf.Variable[] {
    return this.store.trainable();
  }

  dispose(): void {
    this.store.dispose();
  }
}
