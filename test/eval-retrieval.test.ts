import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  cosineSimilarity,
  hitAtK,
  meanFeaturesByVideo,
  rankGallery,
  retrievalMetricsFromRankings,
  retrieve,
  seedAveragePrecisionAtK,
} from '../src/eval/retrieval.js';

const T = true;
const F = false;

describe('seed mAP@K, standard mAP and hit@k on hand-made rankings', () => {
  // relevant at ranks 1, 3 and 5
  const a = [T, F, T, F, T, F];
  // the only relevant item is at rank 4: no hit inside K = 3
  const b = [F, F, F, T, F, F];

  it('AP@K is normalised by the hits inside the top K', () => {
    expect(seedAveragePrecisionAtK(a, 3)).toBeCloseTo((1 / 1 + 2 / 3) / 2, 12);
    expect(seedAveragePrecisionAtK(a, 6)).toBeCloseTo((1 + 2 / 3 + 3 / 5) / 3, 12);
  });

  it('AP@K is null for a query without a hit inside K', () => {
    expect(seedAveragePrecisionAtK(b, 3)).toBeNull();
    expect(seedAveragePrecisionAtK(b, 4)).toBeCloseTo(1 / 4, 12);
  });

  it('standard AP counts every relevant item of the ranking', () => {
    expect(averagePrecision(a)).toBeCloseTo((1 + 2 / 3 + 3 / 5) / 3, 12);
    expect(averagePrecision(b)).toBeCloseTo(1 / 4, 12);
    expect(averagePrecision([F, F])).toBeNull();
  });

  it('hit@k', () => {
    expect(hitAtK(a, 1)).toBe(1);
    expect(hitAtK(b, 1)).toBe(0);
    expect(hitAtK(b, 3)).toBe(0);
    expect(hitAtK(b, 4)).toBe(1);
  });

  it('mean over queries: the seed figure skips queries without a hit, the standard one does not', () => {
    const m = retrievalMetricsFromRankings([a, b], 3, 6);
    expect(m.seedMapAtK.value).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(m.seedMapAtK.queriesScored).toBe(1);
    expect(m.seedMapAtK.k).toBe(3);
    expect(m.seedMapAtK.label).toMatch(/seed/);
    expect(m.map.value).toBeCloseTo(((1 + 2 / 3 + 3 / 5) / 3 + 1 / 4) / 2, 12);
    expect(m.map.label).toMatch(/standard/);
    expect(m.hitAt).toEqual({ 1: 0.5, 5: 1, 10: 1 });
    expect(m.queries).toBe(2);
    expect(m.gallery).toBe(6);
  });
});

describe('ranking by cosine', () => {
  it('sorts best first and breaks ties by gallery order', () => {
    expect(rankGallery([0.1, 0.9, 0.5, 0.9])).toEqual([1, 3, 2, 0]);
  });

  it('cosine similarity ignores the feature scale', () => {
    const s = cosineSimilarity(new Float32Array([2, 0, 1, 1]), new Float32Array([5, 0, 0, 3, -1, -1]), 2);
    const expected = [1, 0, -Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2, -1];
    expect(Array.from(s)).toEqual(expected.map((x) => expect.closeTo(x, 6)));
  });

  it('per-video feature is the mean of its windows', () => {
    const v = meanFeaturesByVideo(new Float32Array([1, 2, 3, 4, 10, 20]), 2, Int32Array.from([0, 0, 1]), Int32Array.from([7, 7, 3]));
    expect(Array.from(v.features)).toEqual([2, 3, 10, 20]);
    expect(Array.from(v.videoIndex)).toEqual([7, 3]);
    expect(Array.from(v.labels)).toEqual([0, 1]);
  });

  it('retrieve returns each query top 10 with ids, labels and scores, and the metrics', () => {
    // 2 queries × 12 gallery videos; gallery label = j % 3
    const ng = 12;
    const galleryLabels = Int32Array.from({ length: ng }, (_, j) => j % 3);
    const sim = new Float32Array(2 * ng);
    for (let j = 0; j < ng; j++) {
      sim[j] = 1 - j / 100; // query 0 ranks the gallery in order: relevant (label 0) at ranks 1, 4, 7, 10
      sim[ng + j] = j / 100; // query 1 ranks it in reverse: j = 11, 10, ...; label 2 at j = 11, 8, 5, 2
    }
    const r = retrieve(
      sim,
      { labels: Int32Array.from([0, 2]), ids: ['q0', 'q1'] },
      { labels: galleryLabels, ids: Array.from({ length: ng }, (_, j) => `g${j}`) },
      ['a', 'b', 'c'],
      5,
    );
    expect(r.results[0].top.map((h) => h.id)).toEqual(['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9']);
    expect(r.results[1].top[0]).toEqual({ id: 'g11', label: 2, className: 'c', score: expect.closeTo(0.11, 6) });
    expect(r.results[1].className).toBe('c');
    // both queries: relevant at ranks 1, 4, 7, 10
    const apAt5 = (1 + 2 / 4) / 2;
    const ap = (1 + 2 / 4 + 3 / 7 + 4 / 10) / 4;
    expect(r.seedMapAtK.value).toBeCloseTo(apAt5, 6);
    expect(r.map.value).toBeCloseTo(ap, 6);
    expect(r.hitAt).toEqual({ 1: 1, 5: 1, 10: 1 });
  });
});
