// Per-epoch training totals: the sums behind the epoch and gate events. Pure data in, plain JSON
// state out (a checkpoint taken at an epoch's end carries it, so a resumed run reports the same
// epoch it would have reported without the stop).
import type { StepResult } from './types.js';

export interface EpochTotals {
  clips: number;
  correct: number;
  steps: number;
  /** per loss term, the sum of its step values */
  losses: Record<string, number>;
  waitMs: number;
  ms: number;
  gateSum: number;
  gateBelowHalf: number;
  gateSteps: number;
  /** sum over steps of each step's histogram, normalised to shares */
  gateHistogram: number[];
  gatePerClassSum: number[];
  gatePerClassCount: number[];
}

export interface EpochSummary {
  batches: number;
  trainAccuracy: number;
  losses: Record<string, number>;
  clipsPerSecond: number;
  dataWaitShare: number;
}

export interface GateSummary {
  mean: number;
  belowHalf: number;
  histogram: number[];
  /** mean gate per class label; null when the class had no sample */
  perClass: (number | null)[];
}

export function emptyTotals(numClasses: number): EpochTotals {
  return {
    clips: 0,
    correct: 0,
    steps: 0,
    losses: {},
    waitMs: 0,
    ms: 0,
    gateSum: 0,
    gateBelowHalf: 0,
    gateSteps: 0,
    gateHistogram: [],
    gatePerClassSum: new Array<number>(numClasses).fill(0),
    gatePerClassCount: new Array<number>(numClasses).fill(0),
  };
}

/** Adds one trained step: its result, the batch's labels, and its wall and data-wait milliseconds. */
export function addStep(totals: EpochTotals, result: StepResult, labels: ArrayLike<number>, ms: number, waitMs: number): void {
  const clips = labels.length;
  totals.clips += clips;
  totals.correct += result.correct;
  totals.steps++;
  totals.ms += ms;
  totals.waitMs += waitMs;
  for (const [term, value] of Object.entries(result.losses)) totals.losses[term] = (totals.losses[term] ?? 0) + value;
  if (result.gate) {
    totals.gateSum += result.gate.mean;
    totals.gateBelowHalf += result.gate.belowHalf;
    totals.gateSteps++;
    const h = result.gate.histogram;
    const sum = h.reduce((a, b) => a + b, 0) || 1;
    if (totals.gateHistogram.length === 0) totals.gateHistogram = new Array<number>(h.length).fill(0);
    for (let i = 0; i < h.length && i < totals.gateHistogram.length; i++) totals.gateHistogram[i] += h[i] / sum;
  }
  if (result.gatePerSample) {
    for (let i = 0; i < clips; i++) {
      totals.gatePerClassSum[labels[i]] += result.gatePerSample[i];
      totals.gatePerClassCount[labels[i]]++;
    }
  }
}

export function summarise(totals: EpochTotals): EpochSummary {
  const losses: Record<string, number> = {};
  for (const [k, v] of Object.entries(totals.losses)) losses[k] = v / Math.max(1, totals.steps);
  return {
    batches: totals.steps,
    trainAccuracy: totals.clips > 0 ? totals.correct / totals.clips : 0,
    losses,
    clipsPerSecond: totals.ms > 0 ? (totals.clips * 1000) / totals.ms : 0,
    dataWaitShare: totals.ms > 0 ? totals.waitMs / totals.ms : 0,
  };
}

/** The epoch's gate statistics; null when no step had a gate (methods without MNF). */
export function summariseGate(totals: EpochTotals): GateSummary | null {
  if (totals.gateSteps === 0) return null;
  const histogramTotal = totals.gateHistogram.reduce((a, b) => a + b, 0) || 1;
  return {
    mean: totals.gateSum / totals.gateSteps,
    belowHalf: totals.gateBelowHalf / totals.gateSteps,
    histogram: totals.gateHistogram.map((x) => x / histogramTotal),
    perClass: totals.gatePerClassSum.map((sum, label) => (totals.gatePerClassCount[label] > 0 ? sum / totals.gatePerClassCount[label] : null)),
  };
}
