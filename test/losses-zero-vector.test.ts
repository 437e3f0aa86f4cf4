// All-zero vectors (a silent video's teacher feature; a v or z row a ReLU zeroed) give finite losses
// and gradients: the cosine and the triplet term against PyTorch 1.13 (cosine.json: zero rows and
// rows below eps), the MNF head with the composed CSC, and the full mnf-csc step (fused CSC).
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/presets.js';
import { cosineSimilarity } from '../src/losses/cosine.js';
import { cscLossComposed } from '../src/losses/csc-composed.js';
import { tripletLoss } from '../src/losses/triplet.js';
import { Mnf } from '../src/models/mnf.js';
import { ParamStore } from '../src/models/params.js';
import { stepGradients } from '../src/train/step.js';
import { buildStepParts } from '../src/train/trainer.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';

interface CosineFixture {
  cosine: { batch: number; dim: number; x: number[]; y: number[]; weights: number[]; cos: number[]; dx: number[]; dy: number[] };
  triplet: { batch: number; dim: number; margin: number; v: number[]; a: number[]; a_tilde: number[]; loss: number; dv: number[]; da_tilde: number[] };
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/reference/cosine.json', import.meta.url), 'utf8')) as CosineFixture;

/**
 * Largest error of a (rows, dim) array relative to its row's largest expected value (gradients of
 * rows below eps are ~1e8 larger than the others); a row expected to be all zero must be within 1e-6.
 */
function rowRelativeError(actual: ArrayLike<number>, expected: number[], dim: number): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let start = 0; start < expected.length; start += dim) {
    let diff = 0;
    let scale = 0;
    for (let k = start; k < start + dim; k++) {
      diff = Math.max(diff, Math.abs(actual[k]! - expected[k]!));
      scale = Math.max(scale, Math.abs(expected[k]!));
    }
    worst = Math.max(worst, diff / Math.max(scale, 1e-6));
  }
  return worst;
}

const allFinite = (values: ArrayLike<number>) => Array.from(values).every(Number.isFinite);

describe.each(TEST_BACKENDS)('on %s', (backend) => {
  beforeEach(() => useBackend(backend));

  it('cosine similarity equals torch 1.13 (eps 1e-8) at zero rows and rows below eps, gradients included', () => {
    const c = fixture.cosine;
    const out = tf.tidy(() => {
      const x = tf.tensor2d(c.x, [c.batch, c.dim]);
      const y = tf.tensor2d(c.y, [c.batch, c.dim]);
      const w = tf.tensor1d(c.weights);
      const cos = cosineSimilarity(x, y).dataSync() as Float32Array;
      const [dx, dy] = tf.grads((xx: tf.Tensor, yy: tf.Tensor) => tf.sum(tf.mul(cosineSimilarity(xx as tf.Tensor2D, yy as tf.Tensor2D), w)))([x, y]);
      return { cos, dx: dx!.dataSync() as Float32Array, dy: dy!.dataSync() as Float32Array };
    });
    expect(allFinite(out.dx) && allFinite(out.dy)).toBe(true);
    expect(rowRelativeError(out.cos, c.cos, 1)).toBeLessThan(1e-5);
    expect(rowRelativeError(out.dx, c.dx, c.dim)).toBeLessThan(1e-4);
    expect(rowRelativeError(out.dy, c.dy, c.dim)).toBeLessThan(1e-4);
  });

  it('triplet loss equals torch with a silent video (a = ã = 0) and a zero ã', () => {
    const t = fixture.triplet;
    const out = tf.tidy(() => {
      const v = tf.tensor2d(t.v, [t.batch, t.dim]);
      const a = tf.tensor2d(t.a, [t.batch, t.dim]);
      const aTilde = tf.tensor2d(t.a_tilde, [t.batch, t.dim]);
      const { value, grads } = tf.valueAndGrads((vv: tf.Tensor, at: tf.Tensor) => tripletLoss(vv as tf.Tensor2D, a, at as tf.Tensor2D, t.margin))([v, aTilde]);
      return { loss: value.dataSync()[0]!, dv: grads[0]!.dataSync() as Float32Array, da: grads[1]!.dataSync() as Float32Array };
    });
    expect(Math.abs(out.loss - t.loss) / t.loss).toBeLessThan(1e-5);
    expect(rowRelativeError(out.dv, t.dv, t.dim)).toBeLessThan(1e-4);
    expect(rowRelativeError(out.da, t.da_tilde, t.dim)).toBeLessThan(1e-4);
  });

  it('the MNF head with the composed CSC: finite loss and gradients with an all-zero teacher row', () => {
    const [b, n, d] = [4, 6, 16];
    const store = new ParamStore(3);
    const mnf = new Mnf(store, { dim: d, numClasses: 3 });
    const { value, grads } = tf.tidy(() => {
      const featureMap = tf.relu(tf.randomNormal([b, n, d], 0, 1, 'float32', 4)) as tf.Tensor3D;
      const pooled = tf.mean(featureMap, 1) as tf.Tensor2D;
      const teacher = tf.concat([tf.zeros([1, d]), tf.abs(tf.randomNormal([b - 1, d], 0, 1, 'float32', 5))]) as tf.Tensor2D;
      const labels = tf.tensor1d([0, 1, 0, 2], 'int32');
      const r = tf.variableGrads(() => {
        const out = mnf.apply(featureMap, teacher, true);
        const csc = cscLossComposed(pooled, out.z, out.aTilde, labels, { theta: 0.07 });
        return tf.add(csc, tripletLoss(pooled, teacher, out.aTilde, 0.2)) as tf.Scalar;
      }, store.trainable());
      return { value: r.value.dataSync()[0]!, grads: Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, g.dataSync() as Float32Array])) };
    });
    store.dispose();
    expect(Number.isFinite(value)).toBe(true);
    const names = Object.keys(grads);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((k) => !allFinite(grads[k]!))).toEqual([]);
  });

  it('a full mnf-csc step (fused CSC) with a silent video in the batch: every loss term and gradient is finite', () => {
    const model = { width: 0.03125, featureDim: 8, layers: [1, 1, 1, 1] as [number, number, number, number], numClasses: 3, teacherDim: 8 };
    const parts = buildStepParts(resolveConfig('tiny', { method: 'mnf-csc', model, batch: 4, clipLength: 2, size: 24 }));
    const names = new Map<string, string>();
    for (const store of [parts.student.store, parts.head.store]) for (const [name, v] of store.params) names.set(v.name, name);
    const { packed, notFinite } = tf.tidy(() => {
      const teacher = tf.tensor2d(Array.from({ length: 32 }, (_, i) => (i < 8 ? 0 : Math.abs(Math.sin(i)))), [4, 8]);
      const clips = tf.randomNormal([4, 2, 24, 24, 3], 0, 1, 'float32', 1) as tf.Tensor5D;
      const { grads, packed } = stepGradients(parts, { clips, teacher, labels: tf.tensor1d([0, 1, 0, 2], 'int32') });
      const notFinite = Object.entries(grads).filter(([, g]) => !allFinite(g.dataSync())).map(([k]) => names.get(k) ?? k);
      return { packed: packed.dataSync() as Float32Array, notFinite };
    });
    parts.studentOptimizer.dispose();
    parts.headOptimizer.dispose();
    parts.student.dispose();
    parts.head.store.dispose();
    expect(notFinite).toEqual([]);
    // [ceStudent, csc, ceMnf, triplet, gateL1, ...]
    expect(allFinite(packed.subarray(0, 5))).toBe(true);
    expect(packed[1]).toBeGreaterThan(0);
  });
});
