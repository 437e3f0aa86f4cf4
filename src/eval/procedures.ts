// The evaluation procedures shared by the engine and the eval/retrieve commands: clip-level
// validation, video-level test and retrieval of a trained model over a dataset.
import { DatasetError } from '../data/annotation.js';
import type { ClipBatch } from '../data/types.js';
import type { TrainingData } from '../train/data-source.js';
import type { EvalOutput } from '../train/types.js';
import { averageByVideo, classificationMetrics, type ClassificationMetrics } from './accuracy.js';
import { collectOutputs } from './collect.js';
import type { GateBatch } from './gate-diagnostics.js';
import { meanFeaturesByVideo, retrieve, type RetrievalReport } from './retrieval.js';
import { cosineSimilarityMatrix } from './similarity.js';

export interface Evaluator {
  data: TrainingData;
  numClasses: number;
  evaluate(batch: ClipBatch): EvalOutput;
  /** runs between batches (the engine yields to its command queue here) */
  between?: () => Promise<void>;
}

/** The model's outputs over every clip of `subset` in `mode`; fails in one line when not one clip decoded. */
async function outputs(e: Evaluator, mode: 'val' | 'test', subset: 'training' | 'validation') {
  const out = await collectOutputs(e.data.evalBatches(mode, subset), e.evaluate, e.numClasses, e.between);
  if (out.labels.length === 0) {
    const videos = e.data[subset].length;
    throw new DatasetError(`no ${subset} clip could be decoded: all ${videos} ${subset} videos are faulty (the warnings name them)`);
  }
  return out;
}

/** The gate figures of the clips an evaluation scored, with each clip's label and validation video. */
export interface EvaluatedGate {
  batch: GateBatch;
  labels: Int32Array;
  videoIndex: Int32Array;
}

/** Clip-level validation: every validation clip (3 per video) scored on its own; the gate figures too for methods with a gate. */
export async function validateClipsWithGate(e: Evaluator): Promise<{ metrics: ClassificationMetrics; gate: EvaluatedGate | null }> {
  const out = await outputs(e, 'val', 'validation');
  return {
    metrics: classificationMetrics(out.probs, out.labels, e.numClasses, e.data.classNames),
    gate: out.gate ? { batch: out.gate, labels: out.labels, videoIndex: out.videoIndex } : null,
  };
}

/** Clip-level validation: every validation clip (3 per video) scored on its own. */
export async function validateClips(e: Evaluator): Promise<ClassificationMetrics> {
  return (await validateClipsWithGate(e)).metrics;
}

/** Video-level test: non-overlapping windows of each validation video, softmax averaged per video. */
export async function testVideos(e: Evaluator): Promise<ClassificationMetrics> {
  const out = await outputs(e, 'test', 'validation');
  const v = averageByVideo(out.probs, out.labels, out.videoIndex, e.numClasses);
  return classificationMetrics(v.probs, v.labels, e.numClasses, e.data.classNames);
}

/** Validation videos query the training videos by cosine of their mean window features. */
export async function retrievalReport(e: Evaluator, k: number): Promise<RetrievalReport> {
  const q = await outputs(e, 'test', 'validation');
  const g = await outputs(e, 'test', 'training');
  const queries = meanFeaturesByVideo(q.features, q.featureDim, q.labels, q.videoIndex);
  const gallery = meanFeaturesByVideo(g.features, g.featureDim, g.labels, g.videoIndex);
  const similarity = cosineSimilarityMatrix(queries.features, gallery.features, q.featureDim);
  return retrieve(
    similarity,
    { labels: queries.labels, ids: Array.from(queries.videoIndex, (i) => e.data.validation[i].id) },
    { labels: gallery.labels, ids: Array.from(gallery.videoIndex, (i) => e.data.training[i].id) },
    e.data.classNames,
    k,
  );
}
