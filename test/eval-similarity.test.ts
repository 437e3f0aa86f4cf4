import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../src/index.js';
import { cosineSimilarity } from '../src/eval/retrieval.js';
import { cosineSimilarityMatrix } from '../src/eval/similarity.js';

describe('cosine similarity through tfjs', () => {
  it('equals the plain loop, across query blocks, on the native and cpu backends', async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const dim = 24;
    const queries = Float32Array.from({ length: 600 * dim }, random); // more than one block of 512
    const gallery = Float32Array.from({ length: 37 * dim }, random);
    gallery.fill(0, 5 * dim, 6 * dim); // a zero row scores 0
    const expected = cosineSimilarity(queries, gallery, dim);
    for (const backend of ['native', 'cpu'] as const) {
      await initBackend(backend);
      const before = tf.memory().numTensors;
      const got = cosineSimilarityMatrix(queries, gallery, dim);
      expect(tf.memory().numTensors).toBe(before);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
      expect(worst).toBeLessThan(1e-5);
      expect(got[5]).toBe(0);
    }
  });
});
