// Backend 'cuda''s conv / matmul / fused-method device kernels on the emulated device equal the
// native backend's kernels (the same CPU code: exact), with the shapes the model uses and edge
// cases, and run with no host fallback; unsupported cases still fall back (counted), and the device
// ops check their buffers at the N-API boundary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchMatMul,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  Conv3D,
  Conv3DBackpropFilterV2,
  Conv3DBackpropInputV2,
  _FusedMatMul,
  type NamedAttrMap,
} from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select.js';
import type { CudaBackend } from '../src/backend/cuda/backend.js';
import { convMatMulKernels } from '../src/backend/cuda/kernels/conv-matmul.js';
import { DEFAULT_MATH_MODE } from '../src/backend/cuda/math-mode.js';
import { AdamUpdate, BatchNormRunningStats, BatchNormTrain, BatchNormTrainGrad, CscLoss } from '../src/backend/kernel-names.js';
import { loadAddon } from '../src/native/addon.js';
import { deviceMatMul } from '../src/native/device-ops-conv-matmul.js';
import { deviceInfo } from '../src/native/device.js';
import { MatMulActivation } from '../src/native/kernels.js';
import { tf } from '../src/tf.js';

const MY_KERNELS = convMatMulKernels('cuda').map((k) => k.kernelName);

beforeAll(async () => {
  await initBackend('cuda', { device: 'emulated' });
});
afterAll(() => initBackend('native'));

const cuda = () => tf.findBackend('cuda') as CudaBackend;

type Input = { values: Float32Array | Int32Array; shape: number[]; dtype?: 'float32' | 'int32' };

function values(shape: number[], seed: number): Input {
  const n = shape.reduce((a, b) => a * b, 1);
  return { values: Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.731 + seed) * 1.3 + Math.cos(i * 0.17 * seed)), shape };
}

/** Runs kernel `name` on `backend` with these inputs; returns every output's values and shape. */
async function runOn(backend: 'native' | 'cuda', name: string, inputs: Record<string, Input>, attrs: NamedAttrMap): Promise<{ data: Float32Array; shape: number[] }[]> {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape, v.dtype ?? 'float32')]));
  const result = tf.engine().runKernel(name, tensors, attrs) as tf.Tensor | tf.Tensor[];
  const outputs = Array.isArray(result) ? result : [result];
  const read = outputs.map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape }));
  tf.dispose([...outputs, ...Object.values(tensors)]);
  return read;
}

/** The kernel on cuda equals it on native (exactly, or within `tolerance`), and did not fall back. */
async function expectSameAsNative(name: string, inputs: Record<string, Input>, attrs: NamedAttrMap, tolerance = 0): Promise<void> {
  const native = await runOn('native', name, inputs, attrs);
  const before = cuda().stats().fallbacksByKernel[name] ?? 0;
  const device = await runOn('cuda', name, inputs, attrs);
  expect(cuda().stats().fallbacksByKernel[name] ?? 0, `${name} fell back`).toBe(before);
  expect(device.length).toBe(native.length);
  device.forEach((out, i) => {
    expect(out.shape, `${name} output ${i}`).toEqual(native[i]!.shape);
    if (tolerance === 0) {
      expect(Array.from(out.data), `${name} output ${i}`).toEqual(Array.from(native[i]!.data));
    } else {
      const worst = out.data.reduce((m, v, j) => Math.max(m, Math.abs(v - native[i]!.data[j]!)), 0);
      expect(worst, `${name} output ${i}`).toBeLessThanOrEqual(tolerance);
    }
  });
}

describe('convolutions on the device', () => {
  // the model's (2+1)D convs: the spatial one as a 2-D conv over b·t frames, the temporal one over h·w
  it.each([
    { x: [2, 16, 16, 3], w: [7, 7, 3, 8], strides: [2, 2], pad: [[0, 0], [3, 3], [3, 3], [0, 0]] },
    { x: [2, 4, 64, 8], w: [3, 1, 8, 8], strides: [1, 1], pad: [[0, 0], [1, 1], [0, 0], [0, 0]] },
    { x: [1, 5, 5, 4], w: [3, 3, 4, 6], strides: [2, 2], pad: 'same' },
    { x: [3, 6, 7, 2], w: [2, 3, 2, 1], strides: [1, 2], pad: 'valid' },
    { x: [1, 1, 1, 1], w: [1, 1, 1, 1], strides: [1, 1], pad: 'valid' },
  ] as const)('Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter x $x filter $w stride $strides pad $pad', async ({ x, w, strides, pad }) => {
    const attrs = { strides: [...strides], pad: pad as never, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as unknown as NamedAttrMap;
    await expectSameAsNative(Conv2D, { x: values([...x], 1), filter: values([...w], 2) }, attrs);
    await tf.setBackend('native');
    const yShape = tf.conv2d(tf.zeros([...x]) as tf.Tensor4D, tf.zeros([...w]) as tf.Tensor4D, [...strides] as [number, number], pad as never).shape;
    await expectSameAsNative(Conv2DBackpropInput, { dy: values(yShape, 3), filter: values([...w], 2) }, { ...attrs, inputShape: [...x] });
    await expectSameAsNative(Conv2DBackpropFilter, { x: values([...x], 1), dy: values(yShape, 3) }, { ...attrs, filterShape: [...w] });
  });

  it('Conv2D with dilations', async () => {
    const attrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [2, 2] } as unknown as NamedAttrMap;
    await expectSameAsNative(Conv2D, { x: values([1, 7, 7, 2], 4), filter: values([3, 3, 2, 3], 5) }, attrs);
  });

  it.each([
    { x: [2, 2, 16, 16, 3], w: [1, 7, 7, 3, 4], strides: [1, 2, 2], pad: 'valid' },
    { x: [1, 4, 6, 6, 4], w: [3, 3, 3, 4, 5], strides: [1, 1, 1], pad: 'same' },
    // stride above the kernel: tfjs's 'same' padding goes negative (the addon crops the input)
    { x: [1, 5, 5, 5, 2], w: [1, 1, 1, 2, 3], strides: [2, 2, 2], pad: 'same' },
  ] as const)('Conv3D, Conv3DBackpropInputV2, Conv3DBackpropFilterV2 x $x filter $w stride $strides pad $pad', async ({ x, w, strides, pad }) => {
    const attrs = { strides: [...strides], pad, dataFormat: 'NDHWC', dilations: [1, 1, 1] } as unknown as NamedAttrMap;
    await expectSameAsNative(Conv3D, { x: values([...x], 6), filter: values([...w], 7) }, attrs);
    await tf.setBackend('native');
    const yShape = tf.conv3d(tf.zeros([...x]) as tf.Tensor5D, tf.zeros([...w]) as tf.Tensor5D, [...strides] as [number, number, number], pad).shape;
    await expectSameAsNative(Conv3DBackpropInputV2, { dy: values(yShape, 8), filter: values([...w], 7) }, { ...attrs, inputShape: [...x] });
    await expectSameAsNative(Conv3DBackpropFilterV2, { x: values([...x], 6), dy: values(yShape, 8) }, { ...attrs, filterShape: [...w] });
  });

  it('a case the device op does not take (ceil rounding) still runs, as a counted host fallback', async () => {
    const attrs = { strides: [2, 2], pad: 1, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: 'ceil' } as unknown as NamedAttrMap;
    const inputs = { x: values([1, 6, 6, 1], 1), filter: values([3, 3, 1, 1], 2) };
    const native = await runOn('native', Conv2D, inputs, attrs);
    const before = cuda().stats().fallbacksByKernel[Conv2D] ?? 0;
    const device = await runOn('cuda', Conv2D, inputs, attrs);
    expect(cuda().stats().fallbacksByKernel[Conv2D]).toBe(before + 1);
    expect(Array.from(device[0]!.data)).toEqual(Array.from(native[0]!.data));
  });
});

describe('matmuls on the device', () => {
  it.each([
    { a: [4, 16], b: [16, 3], tA: false, tB: false },
    { a: [4, 16], b: [5, 16], tA: false, tB: true },
    { a: [16, 4], b: [16, 5], tA: true, tB: false },
    { a: [2, 3, 1, 8], b: [2, 3, 8, 4], tA: false, tB: false },
    // batch broadcast from 1 (token mean: [b, 1, n] · [b, n, d], and a shared right operand)
    { a: [3, 1, 6], b: [3, 6, 2], tA: false, tB: false },
    { a: [3, 2, 6], b: [1, 6, 2], tA: false, tB: false },
    { a: [1, 1], b: [1, 1], tA: true, tB: true },
  ])('BatchMatMul a $a b $b transposeA $tA transposeB $tB', async ({ a, b, tA, tB }) => {
    await expectSameAsNative(BatchMatMul, { a: values(a, 1), b: values(b, 2) }, { transposeA: tA, transposeB: tB });
  });

  it('BatchMatMul with an empty output', async () => {
    await expectSameAsNative(BatchMatMul, { a: values([0, 4], 1), b: values([4, 3], 2) }, { transposeA: false, transposeB: false });
  });

  it.each(['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'])('_FusedMatMul with a bias and activation %s', async (activation) => {
    const attrs = { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0.1 };
    await expectSameAsNative(_FusedMatMul, { a: values([6, 32], 1), b: values([32, 8], 2), bias: values([8], 3) }, attrs);
    await expectSameAsNative(_FusedMatMul, { a: values([6, 32], 1), b: values([8, 32], 2) }, { ...attrs, transposeB: true });
  });

  it('_FusedMatMul with a prelu activation runs as a counted host fallback', async () => {
    const inputs = { a: values([2, 3], 1), b: values([3, 4], 2), preluActivationWeights: values([4], 3) };
    const attrs = { transposeA: false, transposeB: false, activation: 'prelu' };
    const native = await runOn('native', _FusedMatMul, inputs, attrs);
    const before = cuda().stats().fallbacksByKernel[_FusedMatMul] ?? 0;
    const device = await runOn('cuda', _FusedMatMul, inputs, attrs);
    expect(cuda().stats().fallbacksByKernel[_FusedMatMul]).toBe(before + 1);
    expect(Array.from(device[0]!.data)).toEqual(Array.from(native[0]!.data));
  });
});

describe('the fused method ops on the device', () => {
  it.each([
    { rows: 64, channels: 16, relu: true, residual: false },
    { rows: 37, channels: 8, relu: false, residual: false },
    { rows: 10, channels: 5, relu: true, residual: true },
    { rows: 1, channels: 1, relu: false, residual: true },
  ])('MnfBatchNormTrain and MnfBatchNormTrainGrad rows $rows channels $channels relu $relu residual $residual', async ({ rows, channels, relu, residual }) => {
    const attrs = { eps: 1e-5, relu, residual };
    const inputs: Record<string, Input> = { x: values([rows, channels], 1), gamma: values([channels], 2), beta: values([channels], 3) };
    if (residual) inputs.residual = values([rows, channels], 4);
    await expectSameAsNative(BatchNormTrain, inputs, attrs);
    const [y, mean, , invStd] = await runOn('native', BatchNormTrain, inputs, attrs);
    const grad: Record<string, Input> = {
      dy: values([rows, channels], 5),
      x: inputs.x!,
      y: { values: y!.data, shape: y!.shape },
      gamma: inputs.gamma!,
      mean: { values: mean!.data, shape: mean!.shape },
      invStd: { values: invStd!.data, shape: invStd!.shape },
    };
    await expectSameAsNative(BatchNormTrainGrad, grad, attrs);
  });

  it.each([
    { channels: 16, rows: 64, momentum: 0.1 },
    { channels: 1, rows: 2, momentum: 0.01 },
  ])('MnfBatchNormRunningStats channels $channels rows $rows', async ({ channels, rows, momentum }) => {
    const positive = (seed: number) => ({ values: values([channels], seed).values.map(Math.abs), shape: [channels] });
    const inputs = { runningMean: values([channels], 1), runningVar: positive(2), mean: values([channels], 3), variance: positive(4) };
    await expectSameAsNative(BatchNormRunningStats, inputs, { momentum, rows });
  });

  it('MnfAdamUpdate over a group of parameters of several shapes (one empty)', async () => {
    const shapes = [[8, 4], [4], [1], [0, 3], [64]];
    const inputs: Record<string, Input> = {};
    shapes.forEach((shape, i) => {
      // the last parameter's values are small, so that the update's rounding shows in them
      inputs[`param${i}`] = i === 4 ? { values: values(shape, 1 + i).values.map((v) => v * 1e-6), shape } : values(shape, 1 + i);
      inputs[`grad${i}`] = values(shape, 5 + i);
      inputs[`m${i}`] = values(shape, 9 + i);
      inputs[`v${i}`] = { values: values(shape, 13 + i).values.map((v) => v * v), shape };
    });
    const step = 3;
    const attrs = {
      count: shapes.length,
      stepSize: 3e-4 / (1 - 0.9 ** step),
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 5e-4,
      bc2Sqrt: Math.sqrt(1 - 0.999 ** step),
    };
    await expectSameAsNative(AdamUpdate, inputs, attrs);
  });

  it.each([
    { calibrated: true, labels: [0, 1, 0, 2] },
    { calibrated: false, labels: [1, 1, 1, 1] },
  ])('MnfCscLoss calibrated $calibrated labels $labels', async ({ calibrated, labels }) => {
    const B = labels.length;
    const D = 16;
    const inputs: Record<string, Input> = {
      v: values([B, D], 1),
      z: values([B, D], 2),
      aSel: { values: values([B, D], 3).values.map(Math.abs), shape: [B, D] },
      labels: { values: Int32Array.from(labels), shape: [B], dtype: 'int32' },
    };
    // where a CUDA GPU is usable the native kernel runs the CSC loss there and the emulated device op on
    // the CPU twin: they agree to 1e-4 (test/losses-csc-cuda.test.ts), and exactly otherwise
    await expectSameAsNative(CscLoss, inputs, { theta: 0.07, calibrated }, deviceInfo().devices.length > 0 ? 1e-4 : 0);
  });
});

describe('no fallback and the N-API boundary', () => {
  it('none of these kernels fell back in the runs above (except the two unsupported cases)', () => {
    const fallen = cuda().stats().fallbacksByKernel;
    for (const name of MY_KERNELS) {
      if (name === Conv2D || name === _FusedMatMul) expect(fallen[name] ?? 0, name).toBeLessThanOrEqual(1);
      else expect(fallen[name], name).toBeUndefined();
    }
  });

  it('a buffer whose size is not its shape × 4 bytes is rejected in one line naming the argument', async () => {
    await tf.setBackend('cuda');
    const device = cuda().device;
    const a = device.alloc(4 * 6);
    const b = device.alloc(4 * 6);
    const out = device.alloc(4 * 3);
    const run = (outId: number) => deviceMatMul(device, a, [1, 2, 3], b, [1, 3, 2], outId, { transposeA: false, transposeB: false, activation: MatMulActivation.Linear, leakyAlpha: 0 }, DEFAULT_MATH_MODE);
    expect(() => run(out)).toThrow(/^out: expected a buffer of 16 bytes \(its shape × dtype\), buffer \d+ has 12$/);
    device.free(out);
    expect(() => run(out)).toThrow(/out: buffer \d+ was freed/);
    expect(() => loadAddon().deviceMatMul({} as never, a, [1, 2, 3], b, [1, 3, 2], out, false, false, null, 0, 0, 'fp32', true)).toThrow(/device: expected a handle from deviceOpen/);
    device.free(a);
    device.free(b);
  });
});
