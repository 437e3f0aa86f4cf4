// The gate diagnostics' ROC AUC (Mann–Whitney, ties 1/2) and group figures on hand-made cases.
import { describe, expect, it } from 'vitest';
import { addToGroup, concatGateBatches, emptyGroup, rocAuc, teacherGateStats } from '../src/eval/gate-diagnostics.js';

/** P(p > n) + ½ P(p = n) over every pair: the definition, for comparison. */
function pairwiseAuc(positives: number[], negatives: number[]): number {
  let sum = 0;
  for (const p of positives) for (const n of negatives) sum += p > n ? 1 : p === n ? 0.5 : 0;
  return sum / (positives.length * negatives.length);
}

describe('rocAuc', () => {
  it('perfect separation both ways: 1 and 0', () => {
    expect(rocAuc([0.7, 0.8, 0.9], [0.1, 0.2])).toBe(1);
    expect(rocAuc([0.1, 0.2], [0.7, 0.8, 0.9])).toBe(0);
  });

  it('every score equal: 0.5', () => {
    expect(rocAuc([0.3, 0.3, 0.3], [0.3, 0.3])).toBe(0.5);
  });

  it('ties across the groups count 1/2', () => {
    // pairs: (0.5 vs 0.5) ½, (0.5 vs 0.2) 1, (0.9 vs 0.5) 1, (0.9 vs 0.2) 1 → 3.5 / 4
    expect(rocAuc([0.5, 0.9], [0.5, 0.2])).toBe(0.875);
    // one positive tied with both negatives: ½
    expect(rocAuc([1], [1, 1])).toBe(0.5);
    // ties inside one group change nothing: 2 positives above 2 of 3 negatives, tied with the third
    expect(rocAuc([2, 2], [1, 1, 2])).toBeCloseTo(5 / 6, 12);
  });

  it('a hand-counted interleaving', () => {
    // positives 0.4, 0.6; negatives 0.3, 0.5, 0.7: 0.4 beats 1, 0.6 beats 2 → 3 / 6
    expect(rocAuc([0.4, 0.6], [0.3, 0.5, 0.7])).toBe(0.5);
    expect(rocAuc([0.4, 0.8], [0.3, 0.5, 0.7])).toBeCloseTo(4 / 6, 12);
  });

  it('agrees with the pairwise definition on scores with many ties', () => {
    const positives = [0.1, 0.2, 0.2, 0.5, 0.5, 0.5, 0.9, 1];
    const negatives = [0, 0.2, 0.2, 0.3, 0.5, 0.7, 0.7];
    expect(rocAuc(positives, negatives)).toBeCloseTo(pairwiseAuc(positives, negatives), 12);
  });

  it('one group empty: null', () => {
    expect(rocAuc([], [0.1, 0.2])).toBeNull();
    expect(rocAuc([0.1], [])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
  });
});

describe('teacher group figures', () => {
  it('means per group and the AUC of irrelevant over clean; an empty group has null figures', () => {
    const clean = emptyGroup();
    const irrelevant = emptyGroup();
    addToGroup(clean, 0.6, 0.2, 0.1);
    addToGroup(clean, 0.4, 0.6, 0.3);
    expect(teacherGateStats(clean, irrelevant)).toEqual({
      clean: { count: 2, mean: 0.5, belowHalf: 0.4, score: 0.2 },
      irrelevant: { count: 0, mean: null, belowHalf: null, score: null },
      auc: null,
    });
    addToGroup(irrelevant, 0.2, 1, 0.3);
    addToGroup(irrelevant, 0.3, 0.8, 0.5);
    // irrelevant scores 0.3 (ties the clean 0.3, beats 0.1) and 0.5 (beats both): (1.5 + 2) / 4
    expect(teacherGateStats(clean, irrelevant).auc).toBe(0.875);
    expect(teacherGateStats(clean, irrelevant).irrelevant).toMatchObject({ count: 2, mean: 0.25, score: 0.4 });
  });

  it('batches join in order, histograms weighted by their samples', () => {
    const f = (...x: number[]) => Float32Array.from(x);
    const joined = concatGateBatches([
      { histogram: [1, 0], mean: f(0.1), belowHalf: f(1), score: f(0.5) },
      { histogram: [0, 1], mean: f(0.7, 0.9, 0.8), belowHalf: f(0, 0, 0), score: f(0.1, 0.2, 0.3) },
    ])!;
    expect(joined.histogram).toEqual([0.25, 0.75]);
    expect(Array.from(joined.mean)).toEqual(Array.from(f(0.1, 0.7, 0.9, 0.8)));
    expect(Array.from(joined.score)).toEqual(Array.from(f(0.5, 0.1, 0.2, 0.3)));
    expect(concatGateBatches([])).toBeNull();
  });
});
