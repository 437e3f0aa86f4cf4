// Per-epoch training totals: the sums behind the epoch and gate events. Pure data in, plain JSON
// state out (a checkpoint taken at an epoch's end carries it, so a resumed run reports the same
// epoch it would have reported without the stop). The gate's totals belong to the method's gate
// statistics (methods/types.ts GateStatistics): kept here, summed and summarised by it.
import type { StepResult } from './types.js';

export interface EpochTotals {
  clips: number;
  correct: number;
  steps: number;
  /** per loss term, the sum of its step values */
  losses: Record<string, number>;
  waitMs: number;
  ms: number;
  /** the method's gate totals (GateStatistics.empty); null for methods without a gate */
  gate: object | null;
}

export interface EpochSummary {
  batches: number;
  trainAccuracy: number;
  losses: Record<string, number>;
  clipsPerSecond: number;
  dataWaitShare: number;
}

export function emptyTotals(gate: object | null): EpochTotals {
  return { clips: 0, correct: 0, steps: 0, losses: {}, waitMs: 0, ms: 0, gate };
}

/**
 * Totals saved by a checkpoint, continued: the saved sums and the saved gate totals (a checkpoint
 * written before gate totals belonged to the method keeps `fresh`'s: the gate figures of that epoch
 * then cover its batches after the resume).
 */
export function restoreTotals(saved: EpochTotals, fresh: EpochTotals): EpochTotals {
  const { clips, correct, steps, losses, waitMs, ms } = saved;
  return { clips, correct, steps, losses, waitMs, ms, gate: fresh.gate === null ? null : (saved.gate ?? fresh.gate) };
}

/** Adds one trained step: its result, the batch's labels, and its wall and data-wait milliseconds. */
export function addStep(totals: EpochTotals, result: StepResult, labels: ArrayLike<number>, ms: number, waitMs: number): void {
  totals.clips += labels.length;
  totals.correct += result.correct;
  totals.steps++;
  totals.ms += ms;
  totals.waitMs += waitMs;
  for (const [term, value] of Object.entries(result.losses)) totals.losses[term] = (totals.losses[term] ?? 0) + value;
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
