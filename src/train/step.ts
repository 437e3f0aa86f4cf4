// One training step: student forward (train mode), the method's losses, ONE backward pass for
// both parameter groups (see methods/registry.ts for the routing), then both Adam steps.
// Returns every reported number packed into one small tensor, so the caller reads back once.
import { adaptTeacher } from '../models/teacher.js';
import type { R2Plus1D } from '../models/student.js';
import { crossEntropy } from '../losses/cross-entropy.js';
import type { MethodDefinition, MethodHead } from '../methods/types.js';
import { tf } from '../tf.js';
import type { Adam } from './adam.js';
import type { GateStats, StepLosses, StepResult } from './types.js';

export const GATE_BINS = 10;

export interface StepParts {
  method: MethodDefinition;
  student: R2Plus1D;
  head: MethodHead;
  studentOptimizer: Adam;
  headOptimizer: Adam;
}

export interface StepInputs {
  /** (B, T, H, W, 3) */
  clips: tf.Tensor5D;
  /** (B, teacherDim) raw teacher features */
  teacher: tf.Tensor2D;
  /** (B) int32 */
  labels: tf.Tensor1D;
}

/** Layout of the packed result: [ceStudent, ...method terms, correct, (gate: mean, belowHalf, histogram, per-sample means)]. */
function packResults(parts: StepParts, ceStudent: tf.Scalar, terms: Record<string, tf.Scalar>, logits: tf.Tensor2D, labels: tf.Tensor1D, gate?: tf.Tensor2D): tf.Tensor1D {
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
  const values: tf.Tensor[] = [ceStudent, ...parts.method.terms.map((name) => terms[name]!), correct].map((t) => tf.reshape(t, [1]));
  if (gate) {
    const flat = tf.reshape(gate, [-1]);
    const bins = tf.cast(tf.clipByValue(tf.floor(tf.mul(flat, GATE_BINS)), 0, GATE_BINS - 1), 'int32');
    const histogram = tf.div(tf.sum(tf.oneHot(bins, GATE_BINS), 0), flat.shape[0]);
    values.push(tf.reshape(tf.mean(flat), [1]), tf.reshape(tf.mean(tf.cast(tf.less(flat, 0.5), 'float32')), [1]), histogram, tf.mean(gate, 1));
  }
  return tf.concat(values) as tf.Tensor1D;
}

/**
 * The forward pass and ONE backward pass for both parameter groups: gradients by tfjs variable
 * name, and the packed results (kept: the caller disposes it). Call inside tf.tidy.
 */
export function stepGradients(parts: StepParts, inputs: StepInputs): { grads: tf.NamedTensorMap; packed: tf.Tensor1D } {
  const { student, head } = parts;
  let packed: tf.Tensor1D | undefined;
  const { grads } = tf.variableGrads(() => {
    const out = student.forward(inputs.clips, true);
    const teacher = adaptTeacher(inputs.teacher, student.cfg.featureDim);
    const ceStudent = crossEntropy(out.logits, inputs.labels);
    const { objective, terms, gate } = head.losses({ student: out, teacher, labels: inputs.labels });
    packed = tf.keep(packResults(parts, ceStudent, terms, out.logits, inputs.labels, gate));
    return tf.add(ceStudent, objective) as tf.Scalar;
  }, [...student.trainableVariables(), ...head.store.trainable()]);
  return { grads, packed: packed! };
}

/** Runs one optimisation step; returns the packed results (the caller disposes it). */
export function trainStepPacked(parts: StepParts, inputs: StepInputs): tf.Tensor1D {
  return tf.tidy(() => {
    const { grads, packed } = stepGradients(parts, inputs);
    parts.studentOptimizer.apply(grads);
    if (parts.head.store.params.size > 0) parts.headOptimizer.apply(grads);
    return packed;
  });
}

/** Unpacks trainStepPacked's values into a StepResult. */
export function unpackResults(method: MethodDefinition, values: Float32Array, batch: number): StepResult {
  const losses: StepLosses = { ceStudent: values[0]!, csc: 0, ceMnf: 0, triplet: 0, gateL1: 0 };
  method.terms.forEach((name, i) => (losses[name] = values[1 + i]!));
  let offset = 1 + method.terms.length;
  const correct = Math.round(values[offset++]!);
  if (!method.hasMnf) return { losses, correct };
  const gate: GateStats = {
    mean: values[offset]!,
    belowHalf: values[offset + 1]!,
    histogram: Array.from(values.subarray(offset + 2, offset + 2 + GATE_BINS)),
  };
  offset += 2 + GATE_BINS;
  return { losses, correct, gate, gatePerSample: values.slice(offset, offset + batch) };
}
