// Classification metrics over softmax outputs: top-1, top-5 and per-class accuracy, and the
// video-level view (softmax averaged over each video's windows, as the seed's test does).
import type { ClassAccuracy } from '../train/events.js';

export interface ClassificationMetrics {
  top1: number;
  top5: number;
  perClass: ClassAccuracy[];
  samples: number;
}

/** Rank of the true class among the scores (0 = best); ties count against the true class. */
export function rankOfLabel(scores: Float32Array | number[], offset: number, numClasses: number, label: number): number {
  const target = scores[offset + label];
  let rank = 0;
  for (let c = 0; c < numClasses; c++) {
    if (c === label) continue;
    const s = scores[offset + c];
    if (s > target || (s === target && c < label)) rank++;
  }
  return rank;
}

/** probs: (N, numClasses) row-major; labels: (N). */
export function classificationMetrics(
  probs: Float32Array,
  labels: Int32Array,
  numClasses: number,
  classNames: readonly string[] = [],
): ClassificationMetrics {
  const n = labels.length;
  if (probs.length !== n * numClasses) {
    throw new Error(`classificationMetrics: probs has ${probs.length} values, expected ${n}×${numClasses}`);
  }
  const correct = new Array<number>(numClasses).fill(0);
  const total = new Array<number>(numClasses).fill(0);
  let top1 = 0;
  let top5 = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (label < 0 || label >= numClasses) throw new Error(`classificationMetrics: label ${label} outside [0, ${numClasses})`);
    const rank = rankOfLabel(probs, i * numClasses, numClasses, label);
    total[label]++;
    if (rank === 0) {
      top1++;
      correct[label]++;
    }
    if (rank < 5) top5++;
  }
  const perClass: ClassAccuracy[] = correct.map((c, label) => ({
    label,
    name: classNames[label] ?? String(label),
    correct: c,
    total: total[label],
    accuracy: total[label] > 0 ? c / total[label] : null,
  }));
  return { top1: n > 0 ? top1 / n : 0, top5: n > 0 ? top5 / n : 0, perClass, samples: n };
}

export interface VideoScores {
  /** (V, numClasses) mean softmax per video, in order of first appearance of videoIndex */
  probs: Float32Array;
  labels: Int32Array;
  /** the videoIndex of each row */
  videoIndex: Int32Array;
}

/**
 * Averages per-window softmax rows by video. Windows of one video share its videoIndex; a
 * video's label is taken from its first window (all windows of a video carry the same label).
 */
export function averageByVideo(
  probs: Float32Array,
  labels: Int32Array,
  videoIndex: Int32Array,
  numClasses: number,
): VideoScores {
  const row = new Map<number, number>();
  const order: number[] = [];
  const counts: number[] = [];
  const firstLabel: number[] = [];
  for (let i = 0; i < videoIndex.length; i++) {
    const v = videoIndex[i];
    let r = row.get(v);
    if (r === undefined) {
      r = order.length;
      row.set(v, r);
      order.push(v);
      counts.push(0);
      firstLabel.push(labels[i]);
    } else if (firstLabel[r] !== labels[i]) {
      throw new Error(`averageByVideo: video ${v} has windows labelled ${firstLabel[r]} and ${labels[i]}`);
    }
    counts[r]++;
  }
  const out = new Float32Array(order.length * numClasses);
  for (let i = 0; i < videoIndex.length; i++) {
    const r = row.get(videoIndex[i])!;
    for (let c = 0; c < numClasses; c++) out[r * numClasses + c] += probs[i * numClasses + c];
  }
  for (let r = 0; r < order.length; r++) {
    for (let c = 0; c < numClasses; c++) out[r * numClasses + c] /= counts[r];
  }
  return { probs: out, labels: Int32Array.from(firstLabel), videoIndex: Int32Array.from(order) };
}
