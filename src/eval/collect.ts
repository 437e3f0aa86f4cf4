// Runs a model over evaluation batches and gathers its outputs in memory.
import type { ClipBatch } from '../data/types.js';
import type { EvalOutput } from '../train/types.js';
import { concatGateBatches, type GateBatch } from './gate-diagnostics.js';

export interface CollectedOutputs {
  /** (N, numClasses) */
  probs: Float32Array;
  /** (N, D) */
  features: Float32Array;
  featureDim: number;
  labels: Int32Array;
  videoIndex: Int32Array;
  /** the gate figures of the N samples in order, when the method has a gate */
  gate: GateBatch | null;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function concatInt(parts: readonly Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Evaluates every batch; `between` runs after each batch (the engine uses it to stay responsive
 * to commands and to yield to the event loop).
 */
export async function collectOutputs(
  batches: AsyncIterable<ClipBatch>,
  evaluate: (batch: ClipBatch) => EvalOutput,
  numClasses: number,
  between?: () => Promise<void>,
): Promise<CollectedOutputs> {
  const probs: Float32Array[] = [];
  const features: Float32Array[] = [];
  const gates: GateBatch[] = [];
  const labels: Int32Array[] = [];
  const videoIndex: Int32Array[] = [];
  let featureDim = 0;
  for await (const batch of batches) {
    const out = evaluate(batch);
    const b = batch.labels.length;
    if (out.probs.length !== b * numClasses) throw new Error(`evaluate returned ${out.probs.length} probabilities for ${b} clips × ${numClasses} classes`);
    featureDim = out.features.length / b;
    probs.push(out.probs);
    features.push(out.features);
    if (out.gate) gates.push(out.gate);
    labels.push(batch.labels);
    videoIndex.push(batch.videoIndex);
    if (between) await between();
  }
  return {
    probs: concat(probs),
    features: concat(features),
    featureDim,
    labels: concatInt(labels),
    videoIndex: concatInt(videoIndex),
    gate: concatGateBatches(gates),
  };
}
