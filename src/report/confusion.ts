// The confusion matrix of a run's video-level test. The events record per-class accuracy only,
// so the report evaluates the run's checkpoint-last on its validation videos, with the procedure
// the engine's test uses (softmax averaged over each video's windows); the diagonal then equals
// the per-class counts of that test. Importing this module loads tfjs: write-report.ts does so
// only when there is a checkpoint to evaluate.
import type { BackendName } from '../backend/names.js';
import { averageByVideo } from '../eval/accuracy.js';
import { collectOutputs } from '../eval/collect.js';
import { openEvalSession } from '../eval/session.js';
import { defaultSetup } from '../train/engine-setup.js';

export interface ConfusionMatrix {
  classNames: string[];
  /** counts[actual][predicted], videos */
  counts: number[][];
  /** the checkpoint evaluated */
  checkpoint: string;
  /** its epochs completed */
  epoch: number;
}

/** Index of the largest score in row `r`; a tie goes to the lower class (as rankOfLabel counts ties). */
function argmax(scores: Float32Array, r: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (scores[r * n + c] > scores[r * n + best]) best = c;
  return best;
}

export function confusionCounts(probs: Float32Array, labels: Int32Array, numClasses: number): number[][] {
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  labels.forEach((label, r) => counts[label]![argmax(probs, r, numClasses)]!++);
  return counts;
}

export async function testConfusion(
  checkpoint: string,
  options: { dataset: string; backend?: BackendName; onWarning(message: string): void },
): Promise<ConfusionMatrix> {
  const session = await openEvalSession(checkpoint, options, defaultSetup());
  try {
    const out = await collectOutputs(session.data.evalBatches('test', 'validation'), session.evaluate, session.numClasses);
    const videos = averageByVideo(out.probs, out.labels, out.videoIndex, session.numClasses);
    return {
      classNames: session.data.classNames,
      counts: confusionCounts(videos.probs, videos.labels, session.numClasses),
      checkpoint,
      epoch: session.meta.epoch,
    };
  } finally {
    await session.close();
  }
}
