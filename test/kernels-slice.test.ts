// Native Slice and SplitV (block copies) equal tfjs's cpu kernels, for cuts on every axis, int32
// data, and the gradient of concat (a SplitV); contiguous slices stay with the cpu kernel.
import { describe, expect, it } from 'vitest';
import { tf } from '../src/index.js';
import { expectSameOnBothBackends } from './kernels-compare.js';

describe('native Slice', () => {
  const cases: { name: string; shape: number[]; begin: number[]; size: number[] }[] = [
    { name: 'columns of a matrix', shape: [8, 10], begin: [1, 3], size: [5, 4] },
    { name: 'middle axis of rank 3', shape: [3, 7, 5], begin: [0, 2, 0], size: [3, 4, 5] },
    { name: 'every axis cut, rank 4', shape: [4, 5, 6, 7], begin: [1, 1, 2, 3], size: [2, 3, 3, 4] },
    { name: 'last axis only, rank 5', shape: [2, 3, 2, 3, 9], begin: [0, 0, 0, 0, 4], size: [2, 3, 2, 3, 5] },
    { name: 'single column of two rows', shape: [3, 4, 5], begin: [2, 1, 4], size: [1, 2, 1] },
  ];
  for (const c of cases) {
    it(`${c.name}: forward and tf.grads`, async () => {
      const served = await expectSameOnBothBackends([{ shape: c.shape, seed: 71 }], (x) => tf.slice(x!, c.begin, c.size), 0);
      expect(served).toContain('Slice');
      await expectSameOnBothBackends([{ shape: c.shape, seed: 72 }], (x) =>
        tf.grads((t: tf.Tensor) => tf.sum(tf.sin(tf.slice(t, c.begin, c.size))))([x!]),
      );
    });
  }

  it('int32 values are copied exactly', async () => {
    const served = await expectSameOnBothBackends([{ shape: [6, 9], seed: 73, dtype: 'int32' }], (x) =>
      tf.cast(tf.slice(x!, [1, 2], [4, 5]), 'float32'), 0);
    expect(served).toContain('Slice');
  });

  it('a contiguous slice (leading rows) is left to the cpu kernel', async () => {
    const served = await expectSameOnBothBackends([{ shape: [6, 9], seed: 74 }], (x) => tf.slice(x!, [2, 0], [3, 9]), 0);
    expect(served).not.toContain('Slice');
  });
});

describe('native SplitV', () => {
  it('equal and uneven pieces on each axis', async () => {
    const shape = [4, 6, 10];
    for (let axis = 0; axis < 3; axis++) {
      const served = await expectSameOnBothBackends([{ shape, seed: 80 + axis }], (x) => [
        ...tf.split(x!, 2, axis),
        ...tf.split(x!, [1, shape[axis]! - 3, 2], axis),
      ], 0);
      expect(served).toContain('SplitV');
    }
  });

  it('the gradient of concat (the MNF gate input) splits dy back', async () => {
    const served = await expectSameOnBothBackends(
      [
        { shape: [8, 12], seed: 91 },
        { shape: [8, 20], seed: 92 },
      ],
      (a, b) => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.concat([x, y], 1))))([a!, b!]),
    );
    expect(served).toContain('SplitV');
  });
});
