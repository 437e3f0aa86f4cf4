// Gate diagnostics: how a filter gate treats clean and irrelevant teacher features (the dataset's
// teacher_truth.json says which is which), and the ROC AUC of a per-sample filter score for
// telling them apart. docs/teacher-truth.md defines the score.

/** One batch's (or one evaluation's) gate figures, read back from the device. */
export interface GateBatch {
  /** gate values over [0, 1] in equal bins, as shares of all the batch's gate values */
  histogram: number[];
  /** per sample: mean gate value over channels */
  mean: Float32Array;
  /** per sample: share of its gate values below 0.5 */
  belowHalf: Float32Array;
  /** per sample: the filter score (higher = more filtered) */
  score: Float32Array;
}

/** A group's gate figures: mean gate, share below 0.5 and mean filter score over its samples (null when empty). */
export interface GateGroup {
  count: number;
  mean: number | null;
  belowHalf: number | null;
  score: number | null;
}

export interface TeacherGateStats {
  clean: GateGroup;
  irrelevant: GateGroup;
  /** ROC AUC of the filter score for telling irrelevant from clean; 0.5 = no separation; null when a group is empty */
  auc: number | null;
}

/**
 * ROC AUC = P(score of a positive > score of a negative), ties counted 1/2: the Mann–Whitney U of
 * the positives over |positives|·|negatives|, from mid-ranks of the pooled scores. null when
 * either group is empty.
 */
export function rocAuc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number | null {
  const p = positives.length;
  const n = negatives.length;
  if (p === 0 || n === 0) return null;
  const pooled: { value: number; positive: boolean }[] = [];
  for (let i = 0; i < p; i++) pooled.push({ value: positives[i]!, positive: true });
  for (let i = 0; i < n; i++) pooled.push({ value: negatives[i]!, positive: false });
  pooled.sort((a, b) => a.value - b.value);
  let positiveRankSum = 0;
  for (let start = 0; start < pooled.length; ) {
    let end = start;
    while (end < pooled.length && pooled[end]!.value === pooled[start]!.value) end++;
    // ranks start+1 … end share their mean
    const midRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) if (pooled[i]!.positive) positiveRankSum += midRank;
    start = end;
  }
  const u = positiveRankSum - (p * (p + 1)) / 2;
  return u / (p * n);
}

/** A group's running sums (plain JSON, kept in checkpoints), with every score for the AUC. */
export interface GroupTotals {
  count: number;
  meanSum: number;
  belowHalfSum: number;
  scores: number[];
}

export const emptyGroup = (): GroupTotals => ({ count: 0, meanSum: 0, belowHalfSum: 0, scores: [] });

export function addToGroup(group: GroupTotals, mean: number, belowHalf: number, score: number): void {
  group.count++;
  group.meanSum += mean;
  group.belowHalfSum += belowHalf;
  group.scores.push(score);
}

export function summariseGroup(group: GroupTotals): GateGroup {
  const per = (sum: number) => (group.count > 0 ? sum / group.count : null);
  return { count: group.count, mean: per(group.meanSum), belowHalf: per(group.belowHalfSum), score: per(group.scores.reduce((a, b) => a + b, 0)) };
}

export function teacherGateStats(clean: GroupTotals, irrelevant: GroupTotals): TeacherGateStats {
  return { clean: summariseGroup(clean), irrelevant: summariseGroup(irrelevant), auc: rocAuc(irrelevant.scores, clean.scores) };
}

/** Batches joined in order: per-sample figures concatenated, histograms weighted by their samples. */
export function concatGateBatches(parts: readonly GateBatch[]): GateBatch | null {
  if (parts.length === 0) return null;
  const total = parts.reduce((n, p) => n + p.mean.length, 0);
  const histogram = new Array<number>(parts[0]!.histogram.length).fill(0);
  for (const p of parts) p.histogram.forEach((h, i) => (histogram[i] += total > 0 ? (h * p.mean.length) / total : 0));
  const join = (pick: (p: GateBatch) => Float32Array) => {
    const out = new Float32Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(pick(p), at);
      at += pick(p).length;
    }
    return out;
  };
  return { histogram, mean: join((p) => p.mean), belowHalf: join((p) => p.belowHalf), score: join((p) => p.score) };
}
