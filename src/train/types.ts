// The contract between the method (models + losses + optimisers) and the engine.
import type { ClipBatch } from '../data/types.js';
import type { GateBatch } from '../eval/gate-diagnostics.js';
import type { GateStatistics } from '../methods/types.js';
import type { LossTerm } from '../methods/terms.js';

/** The method's loss terms of one step by key (plain numbers, read back once per step). */
export type StepLosses = Record<string, number>;

export interface StepResult {
  /** exactly the method's declared terms */
  losses: StepLosses;
  /** correct predictions of the student in this batch */
  correct: number;
  /** the batch's gate figures, for methods with a gate (MNF) */
  gate?: GateBatch;
}

export interface EvalOutput {
  /** (B, numClasses) softmax probabilities */
  probs: Float32Array;
  /** (B, D) pooled student features */
  features: Float32Array;
  /** the batch's gate figures (eval mode), for methods with a gate */
  gate?: GateBatch;
}

/** Named float32 arrays: weights, BN running statistics, optimiser moments. */
export type TensorState = Record<string, { shape: number[]; data: Float32Array }>;

export interface Trainer {
  /** the method's loss terms, in the order its steps report them */
  readonly terms: readonly LossTerm[];
  /** the method's gate statistics, for methods with a gate (MNF) */
  readonly gateStatistics?: GateStatistics;
  /** one optimisation step on a training batch (models in train mode); in a data-parallel job, this rank's share of the global batch */
  step(batch: ClipBatch): Promise<StepResult>;
  /** inference on a batch (models in eval mode): probabilities and features */
  evaluate(batch: ClipBatch): EvalOutput;
  /** sets the learning rates for an epoch (0-based) from the schedule */
  setEpoch(epoch: number): void;
  /** the student's optimiser and the method head's (every method's second parameter group) */
  learningRates(): LearningRates;
  /** everything needed to continue exactly: weights, running stats, optimiser state */
  getState(): TensorState;
  setState(state: TensorState): void;
  /** a data-parallel job's weights set to rank 0's (every rank calls it at the same point; one process: nothing to do) */
  synchronise(): Promise<void>;
  dispose(): void;
}

export interface LearningRates {
  student: number;
  head: number;
}
