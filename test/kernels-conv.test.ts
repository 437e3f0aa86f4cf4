// Native convolutions equal tfjs's cpu kernels (forward and tf.grads) on random inputs.
import { describe, expect, it } from 'vitest';
import { tf } from '../src/index.js';
import { expectSameOnBothBackends } from './kernels-compare.js';

type Pad2D = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface Conv2DCase {
  name: string;
  x: number[];
  filter: number[];
  stride: number | [number, number];
  pad: Pad2D;
  dilation?: number;
}

const conv2DCases: Conv2DCase[] = [
  { name: '3x3 stride 1 same, batch 1, odd sizes', x: [1, 7, 9, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'same' },
  { name: '3x3 stride 2 same', x: [2, 9, 8, 6], filter: [3, 3, 6, 10], stride: 2, pad: 'same' },
  { name: '3x3 stride 2 valid', x: [2, 9, 11, 5], filter: [3, 3, 5, 7], stride: 2, pad: 'valid' },
  { name: 'explicit padding', x: [1, 8, 7, 4], filter: [3, 3, 4, 6], stride: [1, 2], pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { name: '1x1 stride 1', x: [3, 5, 5, 13], filter: [1, 1, 13, 11], stride: 1, pad: 'valid' },
  { name: '1x1 stride 2', x: [2, 7, 6, 9], filter: [1, 1, 9, 17], stride: 2, pad: 'same' },
  { name: '(k,1) kernel', x: [2, 11, 6, 5], filter: [5, 1, 5, 3], stride: 1, pad: 'same' },
  { name: '(1,k) kernel stride 2', x: [2, 6, 11, 3], filter: [1, 5, 3, 7], stride: 2, pad: 'same' },
  { name: '7x7 stride 2 same (stem)', x: [1, 19, 17, 3], filter: [7, 7, 3, 10], stride: 2, pad: 'same' },
  { name: '7x7 stride 1 valid', x: [2, 13, 12, 2], filter: [7, 7, 2, 5], stride: 1, pad: 'valid' },
];

interface Conv3DCase {
  name: string;
  x: number[];
  filter: number[];
  stride: [number, number, number];
  pad: 'same' | 'valid';
}

// The R(2+1)D student's factorised kernels: (1,k,k) spatial, (t,1,1) temporal, 1x1x1 shortcuts.
const conv3DCases: Conv3DCase[] = [
  { name: '(1,7,7) stride (1,2,2) same (stem)', x: [1, 3, 13, 11, 3], filter: [1, 7, 7, 3, 9], stride: [1, 2, 2], pad: 'same' },
  { name: '(3,1,1) stride 1 same', x: [2, 5, 6, 7, 9], filter: [3, 1, 1, 9, 6], stride: [1, 1, 1], pad: 'same' },
  { name: '(1,3,3) stride (1,2,2) same', x: [2, 3, 9, 9, 5], filter: [1, 3, 3, 5, 12], stride: [1, 2, 2], pad: 'same' },
  { name: '(3,1,1) stride (2,1,1) same', x: [2, 7, 5, 5, 12], filter: [3, 1, 1, 12, 7], stride: [2, 1, 1], pad: 'same' },
  { name: '1x1x1 stride (2,2,2) shortcut (tfjs pads -1: input cropped)', x: [2, 6, 7, 9, 5], filter: [1, 1, 1, 5, 10], stride: [2, 2, 2], pad: 'same' },
  { name: '3x3x3 stride 2 valid, odd sizes', x: [1, 7, 9, 8, 3], filter: [3, 3, 3, 3, 4], stride: [2, 2, 2], pad: 'valid' },
];

/** A loss whose gradient is a random tensor r: sum(y · r), so dx and dFilter are non-trivial. */
function weightedSum(y: tf.Tensor, seed: number): tf.Scalar {
  const r = tf.randomUniform(y.shape, -1, 1, 'float32', seed);
  return tf.sum(tf.mul(y, r));
}

describe('native Conv2D family', () => {
  for (const c of conv2DCases) {
    const inputs = [
      { shape: c.x, seed: 11 },
      { shape: c.filter, seed: 12 },
    ];
    const conv = (x: tf.Tensor, w: tf.Tensor) =>
      tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation ?? 1);

    it(`forward: ${c.name}`, async () => {
      expect(await expectSameOnBothBackends(inputs, conv)).toContain('Conv2D');
    });

    it(`tf.grads: ${c.name}`, async () => {
      const served = await expectSameOnBothBackends(inputs, (x, w) => tf.grads((a: tf.Tensor, b: tf.Tensor) => weightedSum(conv(a, b), 5))([x!, w!]));
      expect(served).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']));
    });
  }

  it('forward with dilation 2', async () => {
    const served = await expectSameOnBothBackends([{ shape: [2, 11, 10, 3], seed: 1 }, { shape: [3, 3, 3, 4], seed: 2 }], (x, w) =>
      tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2),
    );
    expect(served).toContain('Conv2D');
  });

  it('falls back to the cpu kernel for channels-first data and ceil rounding, with the same result', async () => {
    const served = await expectSameOnBothBackends([{ shape: [2, 3, 7, 6], seed: 5 }, { shape: [3, 3, 3, 4], seed: 6 }], (x, w) => [
      tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NCHW'),
      tf.conv2d(tf.transpose(x!, [0, 2, 3, 1]) as tf.Tensor4D, w as tf.Tensor4D, 2, 1, 'NHWC', 1, 'ceil'),
    ]);
    expect(served).not.toContain('Conv2D');
  });

  it('conv2dTranspose (Conv2DBackpropInput called directly)', async () => {
    const served = await expectSameOnBothBackends([{ shape: [2, 4, 5, 6], seed: 3 }, { shape: [3, 3, 4, 6], seed: 4 }], (x, w) =>
      tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 10, 4], 2, 'same'),
    );
    expect(served).toContain('Conv2DBackpropInput');
  });
});

describe('native Conv3D family', () => {
  for (const c of conv3DCases) {
    const inputs = [
      { shape: c.x, seed: 21 },
      { shape: c.filter, seed: 22 },
    ];
    const conv = (x: tf.Tensor, w: tf.Tensor) => tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, c.stride, c.pad);

    it(`forward: ${c.name}`, async () => {
      expect(await expectSameOnBothBackends(inputs, conv)).toContain('Conv3D');
    });

    it(`tf.grads: ${c.name}`, async () => {
      const served = await expectSameOnBothBackends(inputs, (x, w) => tf.grads((a: tf.Tensor, b: tf.Tensor) => weightedSum(conv(a, b), 6))([x!, w!]));
      expect(served).toEqual(expect.arrayContaining(['Conv3D', 'Conv3DBackpropInputV2', 'Conv3DBackpropFilterV2']));
    });
  }
});

describe('MNF_CONV_LAYOUT=any (oneDNN-chosen blocked activations, reordered per call)', () => {
  it('gives the cpu kernels\' results for forward and gradients', async () => {
    process.env.MNF_CONV_LAYOUT = 'any';
    try {
      const served = await expectSameOnBothBackends([{ shape: [2, 9, 8, 6], seed: 91 }, { shape: [3, 3, 6, 10], seed: 92 }, { shape: [2, 6, 7, 9, 5], seed: 93 }, { shape: [1, 1, 1, 5, 10], seed: 94 }], (x, w, x3, w3) => [
        tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'),
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => weightedSum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), 7))([x!, w!]),
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => weightedSum(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 2, 'same'), 8))([x3!, w3!]),
      ]);
      expect(served).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Conv3D', 'Conv3DBackpropInputV2', 'Conv3DBackpropFilterV2']));
    } finally {
      delete process.env.MNF_CONV_LAYOUT;
    }
  });
});
