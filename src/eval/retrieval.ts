// Video retrieval: validation videos (queries) rank the training videos (gallery) by cosine of
// their mean window features. Metrics: the seed's mAP@K (AP normalised by the hits inside the
// top K, queries without a hit skipped), the standard mAP (normalised by every relevant item)
// and hit@k (share of queries with a relevant item in the top k).
import type { RetrievalHit, RetrievalMetrics, RetrievalQuery } from '../train/events.js';

/** Gallery indices of one query, best first (ties: lower gallery index first). */
export function rankGallery(scores: Float32Array | number[]): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  return order;
}

/**
 * The seed's AP@K: precision at each relevant rank inside the top K, averaged over the
 * relevant items found inside the top K. null when the top K holds no relevant item.
 */
export function seedAveragePrecisionAtK(relevant: readonly boolean[], k: number): number | null {
  let hits = 0;
  let sum = 0;
  const n = Math.min(k, relevant.length);
  for (let r = 0; r < n; r++) {
    if (!relevant[r]) continue;
    hits++;
    sum += hits / (r + 1);
  }
  return hits > 0 ? sum / hits : null;
}

/**
 * Standard AP over the whole ranking: precision at each relevant rank, summed and divided by the
 * number of relevant items. null when the gallery holds no relevant item.
 */
export function averagePrecision(relevant: readonly boolean[]): number | null {
  let hits = 0;
  let sum = 0;
  for (let r = 0; r < relevant.length; r++) {
    if (!relevant[r]) continue;
    hits++;
    sum += hits / (r + 1);
  }
  return hits > 0 ? sum / hits : null;
}

/** 1 when a relevant item is among the first k, else 0. */
export function hitAtK(relevant: readonly boolean[], k: number): number {
  const n = Math.min(k, relevant.length);
  for (let r = 0; r < n; r++) if (relevant[r]) return 1;
  return 0;
}

export const SEED_MAP_LABEL = (k: number) => `mAP@${k} (seed: AP over hits inside the top ${k}; queries without a hit skipped)`;
export const STANDARD_MAP_LABEL = 'mAP (standard: AP over all relevant items)';

/** Metrics from per-query relevance lists (each the gallery's relevance in ranked order). */
export function retrievalMetricsFromRankings(rankings: readonly (readonly boolean[])[], k: number, gallery: number): RetrievalMetrics {
  let seedSum = 0;
  let seedCount = 0;
  let mapSum = 0;
  let mapCount = 0;
  const hits = { 1: 0, 5: 0, 10: 0 };
  for (const relevant of rankings) {
    const apK = seedAveragePrecisionAtK(relevant, k);
    if (apK !== null) {
      seedSum += apK;
      seedCount++;
    }
    const ap = averagePrecision(relevant);
    if (ap !== null) {
      mapSum += ap;
      mapCount++;
    }
    hits[1] += hitAtK(relevant, 1);
    hits[5] += hitAtK(relevant, 5);
    hits[10] += hitAtK(relevant, 10);
  }
  const q = rankings.length;
  return {
    seedMapAtK: { k, value: seedCount > 0 ? seedSum / seedCount : 0, queriesScored: seedCount, label: SEED_MAP_LABEL(k) },
    map: { value: mapCount > 0 ? mapSum / mapCount : 0, label: STANDARD_MAP_LABEL },
    hitAt: { 1: q ? hits[1] / q : 0, 5: q ? hits[5] / q : 0, 10: q ? hits[10] / q : 0 },
    queries: q,
    gallery,
  };
}

/** L2-normalised copy of (N, D) rows (a zero row stays zero). */
export function normaliseRows(x: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length / dim; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[i * dim + d] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let d = 0; d < dim; d++) out[i * dim + d] = x[i * dim + d] * inv;
  }
  return out;
}

/** (Q, G) cosine similarities of (Q, D) queries against (G, D) gallery rows. */
export function cosineSimilarity(queries: Float32Array, gallery: Float32Array, dim: number): Float32Array {
  const q = normaliseRows(queries, dim);
  const g = normaliseRows(gallery, dim);
  const nq = q.length / dim;
  const ng = g.length / dim;
  const out = new Float32Array(nq * ng);
  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < ng; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += q[i * dim + d] * g[j * dim + d];
      out[i * ng + j] = s;
    }
  }
  return out;
}

export interface VideoFeatures {
  /** (V, D) mean of each video's window features */
  features: Float32Array;
  labels: Int32Array;
  /** the videoIndex of each row, in order of first appearance */
  videoIndex: Int32Array;
}

/** Per-video feature = mean of its windows' features. */
export function meanFeaturesByVideo(features: Float32Array, dim: number, labels: Int32Array, videoIndex: Int32Array): VideoFeatures {
  const row = new Map<number, number>();
  const order: number[] = [];
  const videoLabels: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < videoIndex.length; i++) {
    if (!row.has(videoIndex[i])) {
      row.set(videoIndex[i], order.length);
      order.push(videoIndex[i]);
      videoLabels.push(labels[i]);
      counts.push(0);
    }
    counts[row.get(videoIndex[i])!]++;
  }
  const out = new Float32Array(order.length * dim);
  for (let i = 0; i < videoIndex.length; i++) {
    const r = row.get(videoIndex[i])!;
    for (let d = 0; d < dim; d++) out[r * dim + d] += features[i * dim + d];
  }
  for (let r = 0; r < order.length; r++) for (let d = 0; d < dim; d++) out[r * dim + d] /= counts[r];
  return { features: out, labels: Int32Array.from(videoLabels), videoIndex: Int32Array.from(order) };
}

export interface RetrievalReport extends RetrievalMetrics {
  results: RetrievalQuery[];
}

/**
 * Full retrieval: similarity (Q, G) given, queries and gallery labelled; returns the metrics and
 * each query's top 10. ids are per row of the query and gallery sets.
 */
export function retrieve(
  similarity: Float32Array,
  query: { labels: Int32Array; ids: readonly string[] },
  gallery: { labels: Int32Array; ids: readonly string[] },
  classNames: readonly string[],
  k: number,
): RetrievalReport {
  const nq = query.labels.length;
  const ng = gallery.labels.length;
  if (similarity.length !== nq * ng) throw new Error(`retrieve: similarity has ${similarity.length} values, expected ${nq}×${ng}`);
  const rankings: boolean[][] = [];
  const results: RetrievalQuery[] = [];
  for (let i = 0; i < nq; i++) {
    const scores = similarity.subarray(i * ng, (i + 1) * ng);
    const order = rankGallery(scores);
    const relevant = order.map((j) => gallery.labels[j] === query.labels[i]);
    rankings.push(relevant);
    const top: RetrievalHit[] = order.slice(0, 10).map((j) => ({
      id: gallery.ids[j],
      label: gallery.labels[j],
      className: classNames[gallery.labels[j]] ?? String(gallery.labels[j]),
      score: scores[j],
    }));
    const ap = averagePrecision(relevant);
    results.push({
      id: query.ids[i],
      label: query.labels[i],
      className: classNames[query.labels[i]] ?? String(query.labels[i]),
      top,
      ...(ap !== null ? { ap } : {}),
    });
  }
  return { ...retrievalMetricsFromRankings(rankings, k, ng), results };
}
