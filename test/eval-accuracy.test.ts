import { describe, expect, it } from 'vitest';
import { averageByVideo, classificationMetrics } from '../src/eval/accuracy.js';

// 6 classes so that top-5 can miss
const probs = new Float32Array([
  // label 0: ranked first
  0.5, 0.1, 0.1, 0.1, 0.1, 0.1,
  // label 1: ranked second
  0.4, 0.3, 0.1, 0.1, 0.05, 0.05,
  // label 2: ranked last → misses top-5
  0.2, 0.2, 0.0, 0.2, 0.2, 0.2,
  // label 1: ranked first
  0.0, 0.9, 0.02, 0.02, 0.03, 0.03,
]);
const labels = Int32Array.from([0, 1, 2, 1]);

describe('classification metrics', () => {
  it('top-1, top-5 and per-class accuracy', () => {
    const m = classificationMetrics(probs, labels, 6, ['a', 'b', 'c', 'd', 'e', 'f']);
    expect(m.top1).toBe(2 / 4);
    expect(m.top5).toBe(3 / 4);
    expect(m.samples).toBe(4);
    expect(m.perClass[0]).toEqual({ label: 0, name: 'a', correct: 1, total: 1, accuracy: 1 });
    expect(m.perClass[1]).toEqual({ label: 1, name: 'b', correct: 1, total: 2, accuracy: 0.5 });
    expect(m.perClass[2].accuracy).toBe(0);
    expect(m.perClass[5]).toEqual({ label: 5, name: 'f', correct: 0, total: 0, accuracy: null });
  });

  it('a tie with a lower class does not count as correct', () => {
    const m = classificationMetrics(new Float32Array([0.5, 0.5]), Int32Array.from([1]), 2);
    expect(m.top1).toBe(0);
  });

  it('rejects probabilities of the wrong size', () => {
    expect(() => classificationMetrics(new Float32Array(5), Int32Array.from([0]), 6)).toThrow(/expected 1×6/);
  });
});

describe('video-level averaging', () => {
  it('averages the softmax of each video windows before the argmax', () => {
    // video 4: windows say class 0 (0.6) then class 1 (0.9) → average favours class 1
    // video 2: one window, class 0
    const windows = new Float32Array([0.6, 0.4, 0.1, 0.9, 0.8, 0.2]);
    const v = averageByVideo(windows, Int32Array.from([1, 1, 0]), Int32Array.from([4, 4, 2]), 2);
    expect(Array.from(v.videoIndex)).toEqual([4, 2]);
    expect(Array.from(v.labels)).toEqual([1, 0]);
    expect(v.probs[0]).toBeCloseTo(0.35, 6);
    expect(v.probs[1]).toBeCloseTo(0.65, 6);
    expect(classificationMetrics(v.probs, v.labels, 2).top1).toBe(1);
    // clip level the first window of video 4 is wrong
    expect(classificationMetrics(windows, Int32Array.from([1, 1, 0]), 2).top1).toBeCloseTo(2 / 3, 12);
  });

  it('rejects windows of one video with different labels', () => {
    expect(() => averageByVideo(new Float32Array(4), Int32Array.from([0, 1]), Int32Array.from([3, 3]), 2)).toThrow(/video 3/);
  });
});
