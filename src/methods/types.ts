// A distillation method = a head with its own parameters (θm, the second optimiser's) plus the
// losses it adds to the student's cross-entropy. Every method trains through the same step.
import type { MethodName, RunConfig } from '../config/types.js';
import type { StudentOutput } from '../models/student.js';
import type { ParamStore } from '../models/params.js';
import type { tf } from '../tf.js';

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
  /** named loss terms for reporting (StepLosses keys) */
  terms: Record<string, tf.Scalar>;
  /** (B, D) gate values when the method has MNF */
  gate?: tf.Tensor2D;
}

export interface MethodHead {
  readonly store: ParamStore;
  /** training-mode losses for one batch */
  losses(inputs: MethodInputs): MethodLosses;
  /** eval-mode gate values (B, D), for methods with MNF */
  gateValues?(featureMap: tf.Tensor3D, teacher: tf.Tensor2D): tf.Tensor2D;
}

export interface MethodDefinition {
  name: MethodName;
  description: string;
  /** reported term names, besides ceStudent (fixed order: the step packs them in this order) */
  terms: readonly string[];
  hasMnf: boolean;
  createHead(config: RunConfig, seed: number): MethodHead;
}
