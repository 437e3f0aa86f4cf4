// One training step: student forward (train mode), the method's losses, ONE backward pass for
// both parameter groups (see methods/registry.ts for the routing), then both Adam steps.
// Returns every reported number packed into one small tensor, so the caller reads back once.
import { adaptTeacher } from '../models/teacher.js';
import type { R2Plus1D } from '../models/student.js';
import { crossEntropy } from '../losses/cross-entropy.js';
import type { MethodDefinition, MethodHead } from '../methods/types.js';
import { tf } from '../tf.js';
import type { Adam } from './adam.js';
import type { StepLosses, StepResult } from './types.js';

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

/** Layout of the packed result: [the method's terms in order, correct, (gate: the method's gate statistics)]. */
function packResults(parts: StepParts, values: Record<string, tf.Scalar>, logits: tf.Tensor2D, labels: tf.Tensor1D, gate?: { values: tf.Tensor2D; teacher: tf.Tensor2D }): tf.Tensor1D {
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
  const terms = parts.method.terms.map(({ key }) => {
    const term = values[key];
    if (!term) throw new Error(`method ${parts.method.name}: declares loss term '${key}' but its head does not compute it`);
    return term;
  });
  const packed: tf.Tensor[] = [...terms, correct].map((t) => tf.reshape(t, [1]));
  const stats = parts.method.gateStatistics;
  if (stats) {
    if (!gate) throw new Error(`method ${parts.method.name}: has gate statistics but its head returns no gate`);
    packed.push(stats.pack(gate.values, gate.teacher));
  }
  return tf.concat(packed) as tf.Tensor1D;
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
    packed = tf.keep(packResults(parts, { ceStudent, ...terms }, out.logits, inputs.labels, gate ? { values: gate, teacher } : undefined));
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
  const losses: StepLosses = {};
  method.terms.forEach(({ key }, i) => (losses[key] = values[i]!));
  const offset = method.terms.length;
  const correct = Math.round(values[offset]!);
  const stats = method.gateStatistics;
  if (!stats) return { losses, correct };
  return { losses, correct, gate: stats.unpack(values.subarray(offset + 1, offset + 1 + stats.packedLength(batch)), batch) };
}
