// Cosine similarity of query rows against gallery rows through the current tfjs backend (one
// matmul per block of queries: oneDNN on 'native'), for retrieval at dataset scale.
import { tf } from '../tf.js';

const QUERY_BLOCK = 512;

/** (Q, G) cosine similarities of (Q, D) queries against (G, D) gallery rows; zero rows score 0. */
export function cosineSimilarityMatrix(queries: Float32Array, gallery: Float32Array, dim: number): Float32Array {
  const nq = queries.length / dim;
  const ng = gallery.length / dim;
  const out = new Float32Array(nq * ng);
  const unit = (x: tf.Tensor2D) => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12));
  const g = tf.tidy(() => unit(tf.tensor2d(gallery, [ng, dim])));
  try {
    for (let start = 0; start < nq; start += QUERY_BLOCK) {
      const rows = Math.min(QUERY_BLOCK, nq - start);
      const block = tf.tidy(() => tf.matMul(unit(tf.tensor2d(queries.subarray(start * dim, (start + rows) * dim), [rows, dim])), g, false, true));
      out.set(block.dataSync() as Float32Array, start * ng);
      block.dispose();
    }
  } finally {
    g.dispose();
  }
  return out;
}
