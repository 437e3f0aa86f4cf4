// The typed run configuration. A run folder's config.json is exactly a RunConfig.
export type MethodName = 'ce' | 'feat-kd' | 'contrastive' | 'csc' | 'mnf-csc';
export const METHOD_NAMES: readonly MethodName[] = ['ce', 'feat-kd', 'contrastive', 'csc', 'mnf-csc'];

export interface ModelConfig {
  /** channel multiplier on 64-128-256 (the last stage is featureDim) */
  width: number;
  /** D: channels of the last stage = student feature size = MNF size */
  featureDim: number;
  /** residual blocks per stage: [1,1,1,1] is R(2+1)D-10, [2,2,2,2] R(2+1)D-18 */
  layers: [number, number, number, number];
  numClasses: number;
  /** teacher feature size (512 for CNN14) */
  teacherDim: number;
}

export interface RunConfig {
  preset: string;
  method: MethodName;
  /** dataset folder in the seed layout; null = the embedded default dataset */
  dataset: string | null;
  /** frames per clip (T) */
  clipLength: number;
  /** crop size (H = W) */
  size: number;
  batch: number;
  epochs: number;
  seed: number;
  /** θ of the CSC temperature τ_ij = cos(v_i, ã_j) + θ (fixed τ = θ for 'contrastive') */
  theta: number;
  lrStudent: number;
  lrMnf: number;
  weightDecay: number;
  /** epochs at which both learning rates are multiplied by lrGamma */
  milestones: number[];
  lrGamma: number;
  l1Weight: number;
  tripletMargin: number;
  /** reproduce the seed's L1 that only reaches the gate's second linear layer */
  l1Original: boolean;
  model: ModelConfig;
  /** clip-level validation every N epochs (0 = never during training) */
  evalEvery: number;
  /** K of the seed's mAP@K */
  retrievalK: number;
  onBadSample: 'skip' | 'fail';
}
