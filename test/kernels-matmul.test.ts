// Native BatchMatMul and _FusedMatMul equal tfjs's cpu kernels (forward and tf.grads).
import { describe, expect, it } from 'vitest';
import { tf } from '../src/index.js';
import { expectSameOnBothBackends } from './kernels-compare.js';

describe('native BatchMatMul', () => {
  // tfjs's BatchMatMul gradient does not reduce over broadcast batch dims: those cases check the forward only.
  const cases: { name: string; a: number[]; b: number[]; ta: boolean; tb: boolean; forwardOnly?: boolean }[] = [
    { name: 'rank 2', a: [5, 7], b: [7, 3], ta: false, tb: false },
    { name: 'transposeA', a: [7, 5], b: [7, 3], ta: true, tb: false },
    { name: 'transposeB', a: [5, 7], b: [3, 7], ta: false, tb: true },
    { name: 'both transposed', a: [7, 5], b: [3, 7], ta: true, tb: true },
    { name: 'batched, odd sizes', a: [3, 9, 13], b: [3, 13, 11], ta: false, tb: false },
    { name: 'rank 4 batch', a: [2, 3, 4, 6], b: [2, 3, 6, 5], ta: false, tb: false },
    { name: 'b broadcast over a batch', a: [2, 3, 4, 6], b: [6, 5], ta: false, tb: false, forwardOnly: true },
    { name: 'a broadcast over b batch', a: [1, 4, 6], b: [3, 5, 6], ta: false, tb: true, forwardOnly: true },
  ];
  for (const c of cases) {
    const inputs = [
      { shape: c.a, seed: 31 },
      { shape: c.b, seed: 32 },
    ];
    it(`forward${c.forwardOnly ? '' : ' and tf.grads'}: ${c.name}`, async () => {
      const served = await expectSameOnBothBackends(inputs, (a, b) => {
        const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, c.ta, c.tb);
        const r = tf.randomUniform(f(a!, b!).shape, -1, 1, 'float32', 3);
        if (c.forwardOnly) return f(a!, b!);
        return [f(a!, b!), ...tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), r)))([a!, b!])];
      });
      expect(served).toContain('BatchMatMul');
    });
  }

  it('falls back to the cpu kernel for int32 operands, with the same result', async () => {
    const served = await expectSameOnBothBackends(
      [
        { shape: [3, 4], seed: 1, dtype: 'int32' },
        { shape: [4, 2], seed: 2, dtype: 'int32' },
      ],
      (a, b) => tf.cast(tf.matMul(a!, b!), 'float32'),
    );
    expect(served).not.toContain('BatchMatMul');
  });
});

describe('native _FusedMatMul', () => {
  const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;
  for (const activation of activations) {
    it(`bias + ${activation}, forward and tf.grads`, async () => {
      const served = await expectSameOnBothBackends(
        [
          { shape: [6, 9], seed: 41 },
          { shape: [9, 7], seed: 42 },
          { shape: [7], seed: 43 },
        ],
        (a, b, bias) => {
          // scale so relu6 and the others see inputs on both sides of their kinks
          const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
            tf.fused.matMul({ a: tf.mul(x, 4) as tf.Tensor2D, b: y as tf.Tensor2D, bias: z, activation, leakyreluAlpha: 0.1 });
          const r = tf.randomUniform([6, 7], -1, 1, 'float32', 4);
          return [f(a!, b!, bias!), ...tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(f(x, y, z), r)))([a!, b!, bias!])];
        },
      );
      expect(served).toContain('_FusedMatMul');
    });
  }

  it('transposed operands with a [1, n] bias', async () => {
    const served = await expectSameOnBothBackends(
      [
        { shape: [9, 6], seed: 44 },
        { shape: [7, 9], seed: 45 },
        { shape: [1, 7], seed: 46 },
      ],
      (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: true, transposeB: true, bias, activation: 'relu' }),
    );
    expect(served).toContain('_FusedMatMul');
  });

  it('falls back to the cpu kernel for prelu and for a per-row bias, with the same result', async () => {
    const served = await expectSameOnBothBackends(
      [
        { shape: [6, 9], seed: 47 },
        { shape: [9, 7], seed: 48 },
        { shape: [6, 1], seed: 49 },
        { shape: [7], seed: 50 },
      ],
      (a, b, rowBias, alpha) => [
        tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: rowBias }),
        tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, activation: 'prelu', preluActivationWeights: alpha }),
      ],
    );
    expect(served).not.toContain('_FusedMatMul');
  });
});
