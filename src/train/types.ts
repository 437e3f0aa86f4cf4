// The contract between the method (models + losses + optimisers) and the engine.
import type { ClipBatch } from '../data/types.js';

/** Every loss term of one step (plain numbers, read back once per step). */
export interface StepLosses {
  ceStudent: number;
  csc: number;
  ceMnf: number;
  triplet: number;
  gateL1: number;
  /** the method's other terms (feat-kd's cosine distance, ...) */
  [term: string]: number;
}

export interface GateStats {
  /** mean gate value over batch and channels */
  mean: number;
  /** share of gate values below 0.5 */
  belowHalf: number;
  /** histogram of gate values over [0, 1] in equal bins */
  histogram: number[];
}

export interface StepResult {
  losses: StepLosses;
  /** correct predictions of the student in this batch */
  correct: number;
  /** absent for methods without MNF */
  gate?: GateStats;
  /** per-sample gate means, for per-class statistics */
  gatePerSample?: Float32Array;
}

export interface EvalOutput {
  /** (B, numClasses) softmax probabilities */
  probs: Float32Array;
  /** (B, D) pooled student features */
  features: Float32Array;
  /** (B) gate means when the method has MNF */
  gateMeans?: Float32Array;
}

/** Named float32 arrays: weights, BN running statistics, optimiser moments. */
export type TensorState = Record<string, { shape: number[]; data: Float32Array }>;

export interface Trainer {
  /** one optimisation step on a training batch (models in train mode) */
  step(batch: ClipBatch): StepResult;
  /** inference on a batch (models in eval mode): probabilities and features */
  evaluate(batch: ClipBatch): EvalOutput;
  /** sets the learning rates for an epoch (0-based) from the schedule */
  setEpoch(epoch: number): void;
  learningRates(): { student: number; mnf: number };
  /** everything needed to continue exactly: weights, running stats, optimiser state */
  getState(): TensorState;
  setState(state: TensorState): void;
  dispose(): void;
}
