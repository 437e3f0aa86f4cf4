// cscLoss as a tfjs op: gradient plumbing (dy, ã, no leaks), the fused path equals the composed ops on
// random data, and bad arguments end in one line naming the argument (op and addon boundary).
import { beforeAll, describe, expect, it } from 'vitest';
import { cscLoss, initBackend, tf } from '../src/index.js';
import { cscLossComposed } from '../src/losses/csc-composed.js';
import { cscLossGrad } from '../src/native/csc.js';

function randomInputs(batch: number, dim: number, classes: number, seed: number) {
  return {
    v: tf.abs(tf.randomNormal([batch, dim], 0, 1, 'float32', seed)) as tf.Tensor2D,
    z: tf.randomNormal([batch, dim], 0, 1, 'float32', seed + 1) as tf.Tensor2D,
    a: tf.abs(tf.randomNormal([batch, dim], 0, 1, 'float32', seed + 2)) as tf.Tensor2D,
    y: tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 7) % classes), 'int32'),
  };
}

function maxRelative(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / tf.max(tf.abs(b)).dataSync()[0]!);
}

describe('cscLoss op on native', () => {
  beforeAll(async () => {
    await initBackend('native');
  });

  it('equals the composed tfjs ops (loss and both gradients) at B=96, D=72', () => {
    tf.tidy(() => {
      const { v, z, a, y } = randomInputs(96, 72, 10, 3);
      const fused = tf.valueAndGrads((vv: tf.Tensor, zz: tf.Tensor) => cscLoss(vv as tf.Tensor2D, zz as tf.Tensor2D, a, y, { theta: 0.07 }))([v, z]);
      const composed = tf.valueAndGrads((vv: tf.Tensor, zz: tf.Tensor) =>
        cscLossComposed(vv as tf.Tensor2D, zz as tf.Tensor2D, a, y, { theta: 0.07 }),
      )([v, z]);
      expect(maxRelative(fused.value, composed.value)).toBeLessThan(1e-5);
      expect(maxRelative(fused.grads[0]!, composed.grads[0]!)).toBeLessThan(1e-4);
      expect(maxRelative(fused.grads[1]!, composed.grads[1]!)).toBeLessThan(1e-4);
    });
  });

  it('scales the saved gradients by dy and gives ã a zero gradient (τ is detached)', () => {
    tf.tidy(() => {
      const { v, z, a, y } = randomInputs(8, 5, 3, 9);
      const [dv1] = tf.grads((vv: tf.Tensor) => cscLoss(vv as tf.Tensor2D, z, a, y, { theta: 0.2 }))([v]);
      const [dv3] = tf.grads((vv: tf.Tensor) => cscLoss(vv as tf.Tensor2D, z, a, y, { theta: 0.2 }))([v], tf.scalar(-3));
      expect(maxRelative(dv3!, tf.mul(dv1!, -3))).toBeLessThan(1e-6);
      for (const loss of [cscLoss, cscLossComposed]) {
        const [da] = tf.grads((aa: tf.Tensor) => loss(v, z, aa as tf.Tensor2D, y, { theta: 0.2 }))([a]);
        expect(tf.max(tf.abs(da!)).dataSync()[0]).toBe(0);
      }
      expect(tf.max(tf.abs(dv1!)).dataSync()[0]).toBeGreaterThan(0);
    });
  });

  it('θ and calibration change the loss', () => {
    tf.tidy(() => {
      const { v, z, a, y } = randomInputs(16, 8, 4, 5);
      const l1 = cscLoss(v, z, a, y, { theta: 0.07 }).dataSync()[0]!;
      const l2 = cscLoss(v, z, a, y, { theta: 0.2 }).dataSync()[0]!;
      const l3 = cscLoss(v, z, a, y, { theta: 0.07, calibrated: false }).dataSync()[0]!;
      expect(new Set([l1, l2, l3]).size).toBe(3);
    });
  });

  it('leaks no tensors through forward and backward', () => {
    const { v, z, a, y } = randomInputs(8, 4, 2, 1);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((vv: tf.Tensor, zz: tf.Tensor) => cscLoss(vv as tf.Tensor2D, zz as tf.Tensor2D, a, y, { theta: 0.07 }))([v, z]);
    });
    const loss = cscLoss(v, z, a, y, { theta: 0.07 });
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([loss, v, z, a, y]);
  });

  it('rejects bad shapes, dtypes and θ with one line naming the argument', () => {
    tf.tidy(() => {
      const { v, z, a, y } = randomInputs(4, 3, 2, 1);
      expect(() => cscLoss(v, tf.zeros([4, 2]) as tf.Tensor2D, a, y, { theta: 0.07 })).toThrow(/^cscLoss: z must have the shape of v \[4, 3\], got \[4,2\]$/);
      expect(() => cscLoss(v, z, a, tf.tensor1d([0, 1, 0, 1]), { theta: 0.07 })).toThrow(/labels must be int32, got float32/);
      expect(() => cscLoss(v, z, a, y, { theta: 0, calibrated: false })).toThrow(/theta must be > 0 when calibrated is false/);
      expect(() => cscLoss(v, z, a, y, { theta: NaN })).toThrow(/theta must be a finite number/);
    });
  });
});

describe('cscLossGrad addon boundary', () => {
  const ok = { v: new Float32Array(6), z: new Float32Array(6), aSel: new Float32Array(6), labels: new Int32Array(2), batch: 2, dim: 3, theta: 0.07, calibrated: true };

  it('names the argument that is wrong', () => {
    expect(() => cscLossGrad({ ...ok, v: new Float64Array(6) as unknown as Float32Array })).toThrow(/^v: expected a Float32Array$/);
    expect(() => cscLossGrad({ ...ok, z: new Float32Array(5) })).toThrow(/^z: shape \[2, 3\] needs 6 elements, got 5$/);
    expect(() => cscLossGrad({ ...ok, labels: new Int32Array(3) })).toThrow(/^labels: shape \[2\] needs 2 elements, got 3$/);
    expect(() => cscLossGrad({ ...ok, labels: new Float32Array(2) as unknown as Int32Array })).toThrow(/^labels: expected a Int32Array$/);
    expect(() => cscLossGrad({ ...ok, batch: 0, v: new Float32Array(0) })).toThrow(/^shape: expected \[B, D\] with B, D >= 1/);
    expect(() => cscLossGrad(ok, 'tpu' as never)).toThrow(/^device: expected 'cpu', 'cuda' or 'auto', got 'tpu'$/);
  });

  it('treats zero-norm rows like torch (normalised to 0, finite gradients)', () => {
    const r = cscLossGrad({ ...ok, v: Float32Array.of(1, 2, 3, 0, 0, 0), z: Float32Array.of(1, 0, 0, 0, 1, 0) }, 'cpu');
    expect(Number.isFinite(r.loss)).toBe(true);
    expect([...r.dv, ...r.dz].every(Number.isFinite)).toBe(true);
  });
});
