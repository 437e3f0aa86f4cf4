// A distillation method = a head with its own parameters (θm, the second optimiser's) plus the
// losses it adds to the student's cross-entropy. Every method trains through the same step.
import type { MethodName, RunConfig } from '../config/types.js';
import type { TeacherGroup } from '../data/teacher-truth.js';
import type { GateBatch, TeacherGateStats } from '../eval/gate-diagnostics.js';
import type { StudentOutput } from '../models/student.js';
import type { ParamStore } from '../models/params.js';
import type { tf } from '../tf.js';
import type { RankGather } from '../losses/rank-gather.js';
import type { CrossRankSum } from '../models/layers/cross-rank-sum.js';
import type { LossTerm } from './terms.js';

export interface MethodInputs {
  student: StudentOutput;
  /** (B, D) teacher features at the student's feature size */
  teacher: tf.Tensor2D;
  labels: tf.Tensor1D;
}

export interface MethodLosses {
  /**
   * Added to CE(p_v). Built so that its gradient with respect to the student's parameters is
   * that of the method's part of loss_s, and with respect to the head's parameters that of
   * loss_m (terms that must not reach the student see detached student outputs).
   */
  objective: tf.Scalar;
  /** the head's loss terms by key (the method's declared terms besides ceStudent) */
  terms: Record<string, tf.Scalar>;
  /** (B, D) gate values when the method has a gate (MNF) */
  gate?: tf.Tensor2D;
}

export interface MethodHead {
  readonly store: ParamStore;
  /** training-mode losses for one batch */
  losses(inputs: MethodInputs): MethodLosses;
  /** eval-mode gate values (B, D), for methods with MNF */
  gateValues?(featureMap: tf.Tensor3D, teacher: tf.Tensor2D): tf.Tensor2D;
}

/** A gate's statistics over an epoch's batches (or an evaluation's), summarised for the gate events. */
export interface GateSummary {
  /** mean gate value */
  mean: number;
  /** share of gate values below 0.5 */
  belowHalf: number;
  /** gate values over [0, 1] in equal bins, as shares */
  histogram: number[];
  /** mean gate per class label; null when the class had no sample */
  perClass: (number | null)[];
  /** clean against irrelevant teacher features, when the dataset's teacher truth is known */
  byTeacher?: TeacherGateStats;
}

/**
 * How a method with a filter gate measures it. The step packs `pack`'s tensor with its results;
 * the engine sums each batch into its totals (plain JSON: checkpoints carry them) and summarises
 * them at each epoch's end and each evaluation.
 */
export interface GateStatistics<Totals extends object = object> {
  /** what the per-sample filter score is (results.json gate.score) */
  readonly score: string;
  /** inside tf.tidy: (B, D) gate values and the (B, D) teacher features they gate → the batch's figures */
  pack(gate: tf.Tensor2D, teacher: tf.Tensor2D): tf.Tensor1D;
  /** length of pack's tensor for a batch of `batch` samples */
  packedLength(batch: number): number;
  unpack(values: Float32Array, batch: number): GateBatch;
  /** `withTruth`: the teacher group of each sample will be given (null for a sample the truth does not list) */
  empty(numClasses: number, withTruth: boolean): Totals;
  add(totals: Totals, batch: GateBatch, labels: ArrayLike<number>, groups: readonly (TeacherGroup | null)[] | null): void;
  /** null when no sample was added */
  summarise(totals: Totals): GateSummary | null;
}

/** Where a head computes its losses: in a data-parallel job, `across` gathers the global batch for the in-batch (contrastive) terms. */
export interface HeadContext {
  across?: RankGather;
  /** SyncBatchNorm's sums over the ranks (--sync-bn) */
  batchNormSync?: CrossRankSum;
}

export interface MethodDefinition {
  name: MethodName;
  description: string;
  /** the method's loss terms (ceStudent first), in the order the step reports them */
  terms: readonly LossTerm[];
  /** present for methods with a filter gate (MNF) */
  gateStatistics?: GateStatistics;
  createHead(config: RunConfig, seed: number, context?: HeadContext): MethodHead;
}
