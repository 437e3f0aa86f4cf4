// The MNF gate's statistics (GateStatistics in types.ts): per batch a histogram of the gate values
// and, per sample, the mean gate, its share below 0.5 and the filter score 1 − cos(ã, a)
// (docs/teacher-truth.md says why this score); per epoch their means overall, per class and per
// teacher group, and the AUC of the score for telling irrelevant teacher features from clean ones.
import type { TeacherGroup } from '../data/teacher-truth.js';
import { addToGroup, emptyGroup, teacherGateStats, type GateBatch, type GroupTotals } from '../eval/gate-diagnostics.js';
import { tf } from '../tf.js';
import type { GateStatistics, GateSummary } from './types.js';

export const GATE_BINS = 10;

export const FILTER_SCORE = '1 - cos(ã, a): how far the gate turns the teacher feature a (ã = g ⊙ a); 0 when a is all zero';

interface MnfGateTotals {
  samples: number;
  meanSum: number;
  belowHalfSum: number;
  /** sum over samples of the batch histogram's shares (weighted by the batch's samples) */
  histogram: number[];
  perClassSum: number[];
  perClassCount: number[];
  /** null when the teacher truth is unknown */
  byTeacher: { clean: GroupTotals; irrelevant: GroupTotals } | null;
}

/** ε of the score's cosine: an all-zero teacher feature (nothing to filter) scores 0 */
const EPSILON = 1e-30;

/**
 * (B) per-sample 1 − cos(g ⊙ a, a), cos(g ⊙ a, a) = (Σ g·a² + ε) / (‖g ⊙ a‖ ‖a‖ + ε), in [0, 1]
 * for g > 0. Built from kernels backend 'cuda' has on the device (no host fallback).
 */
function filterScore(gate: tf.Tensor2D, teacher: tf.Tensor2D): tf.Tensor1D {
  const filtered = tf.mul(gate, teacher);
  const dot = tf.sum(tf.mul(filtered, teacher), 1);
  const norms = tf.mul(tf.sqrt(tf.sum(tf.mul(filtered, filtered), 1)), tf.sqrt(tf.sum(tf.mul(teacher, teacher), 1)));
  return tf.sub(1, tf.div(tf.add(dot, EPSILON), tf.add(norms, EPSILON))) as tf.Tensor1D;
}

export const mnfGateStatistics: GateStatistics<MnfGateTotals> = {
  score: FILTER_SCORE,

  /** layout: [histogram (GATE_BINS), mean (B), belowHalf (B), score (B)] */
  pack(gate, teacher) {
    const flat = tf.reshape(gate, [-1]);
    const bins = tf.cast(tf.clipByValue(tf.floor(tf.mul(flat, GATE_BINS)), 0, GATE_BINS - 1), 'int32');
    const histogram = tf.div(tf.sum(tf.oneHot(bins as tf.Tensor1D, GATE_BINS), 0), flat.shape[0]);
    const belowHalf = tf.mean(tf.cast(tf.less(gate, 0.5), 'float32'), 1);
    return tf.concat([histogram, tf.mean(gate, 1), belowHalf, filterScore(gate, teacher)]) as tf.Tensor1D;
  },

  packedLength: (batch) => GATE_BINS + 3 * batch,

  unpack(values, batch) {
    const at = (k: number) => values.slice(GATE_BINS + k * batch, GATE_BINS + (k + 1) * batch);
    return { histogram: Array.from(values.subarray(0, GATE_BINS)), mean: at(0), belowHalf: at(1), score: at(2) };
  },

  empty: (numClasses, withTruth) => ({
    samples: 0,
    meanSum: 0,
    belowHalfSum: 0,
    histogram: new Array<number>(GATE_BINS).fill(0),
    perClassSum: new Array<number>(numClasses).fill(0),
    perClassCount: new Array<number>(numClasses).fill(0),
    byTeacher: withTruth ? { clean: emptyGroup(), irrelevant: emptyGroup() } : null,
  }),

  add(totals, batch: GateBatch, labels, groups: readonly (TeacherGroup | null)[] | null) {
    const b = batch.mean.length;
    totals.samples += b;
    batch.histogram.forEach((h, i) => (totals.histogram[i] += h * b));
    for (let i = 0; i < b; i++) {
      totals.meanSum += batch.mean[i]!;
      totals.belowHalfSum += batch.belowHalf[i]!;
      totals.perClassSum[labels[i]!]! += batch.mean[i]!;
      totals.perClassCount[labels[i]!]!++;
      const group = groups?.[i];
      if (totals.byTeacher && group) addToGroup(totals.byTeacher[group], batch.mean[i]!, batch.belowHalf[i]!, batch.score[i]!);
    }
  },

  summarise(totals): GateSummary | null {
    if (totals.samples === 0) return null;
    const histogramTotal = totals.histogram.reduce((a, b) => a + b, 0) || 1;
    return {
      mean: totals.meanSum / totals.samples,
      belowHalf: totals.belowHalfSum / totals.samples,
      histogram: totals.histogram.map((h) => h / histogramTotal),
      perClass: totals.perClassSum.map((sum, label) => (totals.perClassCount[label]! > 0 ? sum / totals.perClassCount[label]! : null)),
      ...(totals.byTeacher ? { byTeacher: teacherGateStats(totals.byTeacher.clean, totals.byTeacher.irrelevant) } : {}),
    };
  },
};
