// The evaluation procedures shared by the engine and the eval/retrieve commands: clip-level
// validation, video-level test and retrieval of a trained model over a dataset.
import type { ClipBatch } from '../data/types.js';
import type { TrainingData } from '../train/data-source.js';
import type { EvalOutput } from '../train/types.js';
import { averageByVideo, classificationMetrics, type ClassificationMetrics } from './accuracy.js';
import { collectOutputs } from './collect.js';
import { meanFeaturesByVideo, retrieve, type RetrievalReport } from './retrieval.js';
import { cosineSimilarityMatrix } from './similarity.js';

export interface Evaluator {
  data: TrainingData;
  numClasses: number;
  evaluate(batch: ClipBatch): EvalOutput;
  /** runs between batches (the engine yields to its command queue here) */
  between?: () => Promise<void>;
}

function outputs(e: Evaluator, mode: 'val' | 'test', subset: 'training' | 'validation') {
  return collectOutputs(e.data.evalBatches(mode, subset), e.evaluate, e.numClasses, e.between);
}

/** Clip-level validation: every validation clip (3 per video) scored on its own. */
export async function validateClips(e: Evaluator): Promise<ClassificationMetrics> {
  const out = await outputs(e, 'val', 'validation');
  return classificationMetrics(out.probs, out.labels, e.numClasses, e.data.classNames);
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
