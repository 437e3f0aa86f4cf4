// CSC loss and both gradients against the PyTorch reference fixtures (scripts/reference/csc_fixtures.py),
// for the fused op (addon) on backends cpu and native and for the composed tfjs ops.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../src/index.js';
import { cscLoss, registerCscKernel } from '../src/losses/csc.js';
import { cscLossComposed } from '../src/losses/csc-composed.js';
import { cscProblem } from '../src/native/csc.js';
import { maxRelativeError } from '../src/native/twin-check.js';

interface CscCase {
  name: string;
  batch: number;
  dim: number;
  theta: number;
  calibrated: boolean;
  labels: number[];
  v: number[];
  z: number[];
  a_sel: number[];
  loss: number;
  dv: number[];
  dz: number[];
}

const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/reference/csc.json', import.meta.url), 'utf8'),
) as { cases: CscCase[] };

/** max_k |actual_k − expected_k| relative to max_k |expected_k| (elementwise ratios blow up near 0). */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  return maxRelativeError(actual, expected);
}

type LossFn = typeof cscLoss;

function evaluate(loss: LossFn, c: CscCase): { loss: number; dv: Float32Array; dz: Float32Array } {
  return tf.tidy(() => {
    const v = tf.tensor2d(c.v, [c.batch, c.dim]);
    const z = tf.tensor2d(c.z, [c.batch, c.dim]);
    const a = tf.tensor2d(c.a_sel, [c.batch, c.dim]);
    const y = tf.tensor1d(c.labels, 'int32');
    const opts = { theta: c.theta, calibrated: c.calibrated };
    const { value, grads } = tf.valueAndGrads((vv: tf.Tensor, zz: tf.Tensor) =>
      loss(vv as tf.Tensor2D, zz as tf.Tensor2D, a, y, opts),
    )([v, z]);
    return { loss: value.dataSync()[0]!, dv: grads[0]!.dataSync() as Float32Array, dz: grads[1]!.dataSync() as Float32Array };
  });
}

function agreesWithReference(loss: LossFn) {
  for (const c of fixtures.cases) {
    it(`${c.name}: B=${c.batch} D=${c.dim} θ=${c.theta}${c.calibrated ? '' : ' (uncalibrated)'}`, () => {
      const out = evaluate(loss, c);
      expect(Math.abs(out.loss - c.loss) / Math.abs(c.loss)).toBeLessThan(1e-4);
      expect(relativeError(out.dv, c.dv)).toBeLessThan(1e-4);
      expect(relativeError(out.dz, c.dz)).toBeLessThan(1e-4);
    });
  }
}

describe('CSC fixtures', () => {
  it('cover all-distinct labels, one class and singleton classes', () => {
    const kinds = fixtures.cases.map((c) => new Set(c.labels).size);
    expect(fixtures.cases.some((c) => new Set(c.labels).size === c.batch)).toBe(true);
    expect(kinds).toContain(1);
    expect(
      fixtures.cases.some((c) => c.labels.some((l) => c.labels.filter((m) => m === l).length === 1) && new Set(c.labels).size < c.batch),
    ).toBe(true);
  });
});

describe('composed CSC (tfjs ops) on cpu', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  agreesWithReference(cscLossComposed);
});

for (const backend of ['cpu', 'native'] as const) {
  describe(`cscLoss (fused op) on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });
    it('runs in the addon (one call for forward and backward)', () => {
      expect(cscProblem()).toBeUndefined();
      expect(registerCscKernel()).toBe(true);
      expect(tf.getKernel('MnfCscLoss', backend)).toBeDefined();
    });
    agreesWithReference(cscLoss);
  });
}
