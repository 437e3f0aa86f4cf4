// CSC loss and both gradients against the PyTorch reference fixtures (scripts/reference/csc_fixtures.py),
// for the fused op (addon) on backends cpu and native and for the composed tfjs ops.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../src/index.js';
import { cscLoss } from '../src/losses/csc.js';
import { cscLossComposed } from '../src/losses/csc-composed.js';
import { cscProblem } from '../src/native/csc.js';
import { maxRelativeError } from '../src/native/twin-check.js';
import { cscCases, gradientError, type CscCase } from './csc-fixtures.js';

const fixtures = { cases: cscCases() };

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
      expect(Number.isFinite(out.loss)).toBe(true);
      expect([...out.dv, ...out.dz].every(Number.isFinite)).toBe(true);
      expect(Math.abs(out.loss - c.loss) / Math.abs(c.loss)).toBeLessThan(1e-4);
      expect(gradientError(out.dv, c.dv, c.dim, c.zero_rows.v)).toBeLessThan(1e-4);
      expect(gradientError(out.dz, c.dz, c.dim, c.zero_rows.z)).toBeLessThan(1e-4);
    });
  }
}

describe('CSC fixtures', () => {
  it('hold all-zero rows of ã (a silent video), v and z, calibrated and not', () => {
    const zeroIn = (c: CscCase, key: 'v' | 'z' | 'a_sel', rows: number[] = []) =>
      rows.length > 0 && rows.every((r) => c[key].slice(r * c.dim, (r + 1) * c.dim).every((x) => x === 0));
    expect(fixtures.cases.some((c) => c.calibrated && zeroIn(c, 'a_sel', c.zero_rows.a))).toBe(true);
    expect(fixtures.cases.some((c) => zeroIn(c, 'v', c.zero_rows.v) && zeroIn(c, 'z', c.zero_rows.z))).toBe(true);
    expect(fixtures.cases.some((c) => !c.calibrated && zeroIn(c, 'v', c.zero_rows.v))).toBe(true);
  });

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
      expect(tf.getKernel('MnfCscLoss', backend)).toBeDefined();
    });
    agreesWithReference(cscLoss);
  });
}
