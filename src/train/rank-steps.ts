// What the ranks of a data-parallel job tell each other around a step: before it, whether any rank
// was asked to stop and how many clips each rank's share holds (every rank then takes the same
// decision); after it, each rank's results, so that every rank knows the whole job's figures (rank 0
// reports them; a non-finite loss anywhere fails every rank alike).
import { allgatherJson, type Collectives } from '../distributed/collectives.js';
import { concatInt } from '../eval/collect.js';
import type { GateBatch } from '../eval/gate-diagnostics.js';
import type { StepResult } from './types.js';

export interface StepAgreement {
  /** some rank was asked to stop: every rank stops at this boundary */
  stop: boolean;
  /** usable clips in each rank's share, rank order */
  clips: number[];
}

/** One rank's part of a trained step. */
export interface RankStep {
  result: StepResult;
  labels: Int32Array;
  videoIndex: Int32Array;
  /** wall and loader-wait milliseconds of its step */
  ms: number;
  waitMs: number;
}

export async function agreeOnStep(collectives: Collectives, stop: boolean, clips: number): Promise<StepAgreement> {
  const all = await collectives.allgather(Int32Array.of(stop ? 1 : 0, clips));
  const stops: boolean[] = [];
  const counts: number[] = [];
  for (let r = 0; r < collectives.size; r++) {
    stops.push(all[2 * r] === 1);
    counts.push(all[2 * r + 1]!);
  }
  return { stop: stops.some(Boolean), clips: counts };
}

interface WireStep {
  losses: Record<string, number>;
  correct: number;
  gate?: { histogram: number[]; mean: number[]; belowHalf: number[]; score: number[] };
  labels: number[];
  videoIndex: number[];
  ms: number;
  waitMs: number;
}

function toWire(step: RankStep): WireStep {
  const { result } = step;
  const gate = result.gate && {
    histogram: result.gate.histogram,
    mean: Array.from(result.gate.mean),
    belowHalf: Array.from(result.gate.belowHalf),
    score: Array.from(result.gate.score),
  };
  return { losses: result.losses, correct: result.correct, ...(gate ? { gate } : {}), labels: Array.from(step.labels), videoIndex: Array.from(step.videoIndex), ms: step.ms, waitMs: step.waitMs };
}

function fromWire(wire: WireStep): RankStep {
  const gate: GateBatch | undefined = wire.gate && {
    histogram: wire.gate.histogram,
    mean: Float32Array.from(wire.gate.mean),
    belowHalf: Float32Array.from(wire.gate.belowHalf),
    score: Float32Array.from(wire.gate.score),
  };
  // JSON has no NaN or ±Infinity: a non-finite loss travels as null
  const losses = Object.fromEntries(Object.entries(wire.losses).map(([k, v]) => [k, v === null ? Number.NaN : v]));
  return { result: { losses, correct: wire.correct, ...(gate ? { gate } : {}) }, labels: Int32Array.from(wire.labels), videoIndex: Int32Array.from(wire.videoIndex), ms: wire.ms, waitMs: wire.waitMs };
}

/** Every rank's step, rank order. */
export async function exchangeSteps(collectives: Collectives, own: RankStep): Promise<RankStep[]> {
  if (collectives.size === 1) return [own];
  return (await allgatherJson(collectives, toWire(own))).map(fromWire);
}

/**
 * The job's step from its ranks' parts: each loss term's mean over the ranks weighted by their
 * clips (a global-batch term has one value on every rank), the correct predictions summed.
 */
export function jobResult(steps: readonly RankStep[]): { result: StepResult; labels: Int32Array } {
  const clips = steps.reduce((n, s) => n + s.labels.length, 0);
  const losses: Record<string, number> = {};
  for (const key of Object.keys(steps[0]!.result.losses)) {
    losses[key] = steps.reduce((sum, s) => sum + s.result.losses[key]! * s.labels.length, 0) / Math.max(1, clips);
  }
  const labels = concatInt(steps.map((s) => s.labels));
  return { result: { losses, correct: steps.reduce((n, s) => n + s.result.correct, 0) }, labels };
}

/** A rank's readiness after setting up: null, or why it cannot train (and whether that is a usage error). */
export interface Readiness {
  message: string;
  usage: boolean;
}

/** Every rank's readiness, rank order. */
export function exchangeReadiness(collectives: Collectives, own: Readiness | null): Promise<(Readiness | null)[]> {
  return allgatherJson(collectives, own);
}
