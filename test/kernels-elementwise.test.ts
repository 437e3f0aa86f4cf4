// Native element-wise and reduction kernels equal tfjs's cpu kernels, including the gradients of
// the composed ops a network uses (batch norm from moments, relu, residual add, pooling).
import { describe, expect, it } from 'vitest';
import { tf } from '../src/index.js';
import { expectSameOnBothBackends } from './kernels-compare.js';

const binaryOps = {
  Add: tf.add,
  Sub: tf.sub,
  Multiply: tf.mul,
  RealDiv: tf.div,
  SquaredDifference: tf.squaredDifference,
} as const;

// Each pair: how the operands broadcast; the last one is handled by tfjs's cpu kernel.
const layouts: { name: string; a: number[]; b: number[]; native: boolean }[] = [
  { name: 'same shape', a: [2, 3, 5, 7], b: [2, 3, 5, 7], native: true },
  { name: 'scalar b', a: [3, 5, 7], b: [], native: true },
  { name: 'scalar a', a: [1], b: [3, 5, 7], native: true },
  { name: 'per-channel b [C]', a: [2, 3, 5, 13], b: [13], native: true },
  { name: 'per-channel a [1,1,1,C]', a: [1, 1, 1, 13], b: [2, 3, 5, 13], native: true },
  { name: 'other broadcast ([N,1] x [N,C])', a: [6, 1], b: [6, 5], native: false },
];

describe('native binary kernels', () => {
  for (const [kernel, op] of Object.entries(binaryOps)) {
    for (const l of layouts) {
      it(`${kernel}: ${l.name}, forward and tf.grads`, async () => {
        const inputs = [
          { shape: l.a, seed: 51 },
          { shape: l.b, seed: 52 },
        ];
        // keep divisors away from 0
        const f = (x: tf.Tensor, y: tf.Tensor) => (kernel === 'RealDiv' ? op(x, tf.add(tf.abs(y), 0.5)) : op(x, y));
        const served = await expectSameOnBothBackends(inputs, (a, b) => f(a!, b!));
        if (l.native) expect(served).toContain(kernel);
        else expect(served).not.toContain(kernel);
        // tfjs's SquaredDifference gradient does not reduce over broadcast dims (on any backend)
        if (kernel === 'SquaredDifference' && l.name !== 'same shape') return;
        await expectSameOnBothBackends(inputs, (a, b) => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.sin(f(x, y))))([a!, b!]));
      });
    }
  }

  it('int32 operands use the cpu kernel', async () => {
    const served = await expectSameOnBothBackends(
      [
        { shape: [4, 5], seed: 1, dtype: 'int32' },
        { shape: [4, 5], seed: 2, dtype: 'int32' },
      ],
      (a, b) => tf.cast(tf.add(a!, b!), 'float32'),
    );
    expect(served).not.toContain('Add');
  });
});

describe('native unary kernels', () => {
  it('Relu and its gradient (Step), Sigmoid, Neg, Square', async () => {
    const served = await expectSameOnBothBackends([{ shape: [3, 4, 5, 6], seed: 61 }], (x) => [
      tf.relu(x!),
      tf.sigmoid(x!),
      tf.neg(x!),
      tf.square(x!),
      tf.step(x!, 0.3),
      tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.relu(y), tf.sigmoid(y))))(x!),
    ]);
    expect(served).toEqual(expect.arrayContaining(['Relu', 'Step', 'Sigmoid', 'Neg', 'Square']));
  });

  it('Step keeps NaN and Relu of an int32 tensor uses the cpu kernel', async () => {
    const served = await expectSameOnBothBackends([{ shape: [4], seed: 62, dtype: 'int32' }], (x) => [
      tf.step(tf.tensor1d([NaN, -1, 0, 2])),
      tf.cast(tf.relu(x!), 'float32'),
    ]);
    expect(served).not.toContain('Relu');
  });
});

describe('native reductions', () => {
  const shape = [4, 3, 5, 6, 7];
  const cases: { name: string; axes: number[]; keepDims: boolean; native: boolean }[] = [
    { name: 'leading axes (batch-norm statistics)', axes: [0, 1, 2, 3], keepDims: true, native: true },
    { name: 'leading axes, no keepDims', axes: [0, 1, 2, 3], keepDims: false, native: true },
    { name: 'middle axes (global average pool)', axes: [1, 2, 3], keepDims: false, native: true },
    { name: 'last axis', axes: [4], keepDims: false, native: true },
    { name: 'all axes', axes: [0, 1, 2, 3, 4], keepDims: false, native: true },
    { name: 'unsorted negative axes', axes: [-2, 1, 2], keepDims: true, native: true },
    { name: 'non-contiguous axes', axes: [0, 2], keepDims: false, native: false },
  ];
  for (const c of cases) {
    it(`Sum and Mean over ${c.name}`, async () => {
      const served = await expectSameOnBothBackends([{ shape, seed: 71 }], (x) => [
        tf.sum(x!, c.axes, c.keepDims),
        tf.mean(x!, c.axes, c.keepDims),
      ]);
      if (c.native) expect(served).toEqual(expect.arrayContaining(['Sum', 'Mean']));
      else expect(served).not.toContain('Sum');
    });
  }
});

describe('composed ops of the student', () => {
  it('batch norm from moments + relu + residual add + average pool: values and gradients', async () => {
    const served = await expectSameOnBothBackends(
      [
        { shape: [2, 3, 6, 5, 11], seed: 81 },
        { shape: [11], seed: 82 },
        { shape: [11], seed: 83 },
      ],
      (x, gamma, beta) => {
        const block = (v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(v, [0, 1, 2, 3], true);
          const normed = tf.mul(tf.sub(v, mean), tf.rsqrt(tf.add(variance, 1e-5)));
          const y = tf.relu(tf.add(tf.add(tf.mul(normed, g), b), v));
          return tf.mean(y, [1, 2, 3]);
        };
        const r = tf.randomUniform([2, 11], -1, 1, 'float32', 9);
        return [block(x!, gamma!, beta!), ...tf.grads((v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(block(v, g, b), r)))([x!, gamma!, beta!])];
      },
    );
    expect(served).toEqual(expect.arrayContaining(['Mean', 'Sum', 'Sub', 'Multiply', 'Add', 'Relu', 'Step', 'Square']));
  });
});

describe('large tensors (the multi-threaded paths, from 2^21 elements)', () => {
  const big = [128, 128, 130];
  it('binary kernels: same shape, per-channel and scalar', async () => {
    const served = await expectSameOnBothBackends(
      [
        { shape: big, seed: 101 },
        { shape: big, seed: 102 },
        { shape: [130], seed: 103 },
      ],
      (a, b, c) => [tf.mul(a!, b!), tf.sub(a!, c!), tf.add(c!, a!), tf.div(a!, 3), tf.squaredDifference(a!, b!)],
    );
    expect(served).toEqual(expect.arrayContaining(['Multiply', 'Sub', 'Add', 'RealDiv', 'SquaredDifference']));
  });

  it('unary kernels', async () => {
    const served = await expectSameOnBothBackends([{ shape: big, seed: 104 }], (x) => [tf.relu(x!), tf.step(x!), tf.sigmoid(x!), tf.neg(x!), tf.square(x!)]);
    expect(served).toEqual(expect.arrayContaining(['Relu', 'Step', 'Sigmoid', 'Neg', 'Square']));
  });

  it('reductions: per-channel over leading axes, rows, middle axis', async () => {
    const served = await expectSameOnBothBackends([{ shape: big, seed: 105 }], (x) => [
      tf.sum(x!, [0, 1]),
      tf.mean(x!, [0, 1], true),
      tf.sum(x!, 2),
      tf.mean(x!, 1),
      tf.sum(x!),
    ]);
    expect(served).toEqual(expect.arrayContaining(['Sum', 'Mean']));
  });
});
