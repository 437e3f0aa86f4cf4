// Backend 'cuda''s element-wise, reduction, softmax and layout device kernels on the emulated device
// equal the native backend's kernels (the same loops: the addon's, or tfjs-cpu's JS formulas written
// in C++), with the shapes the model uses and edge cases (broadcasting, size-1 dims, empty tensors,
// NaN), and run with no host fallback; unsupported dtypes still fall back (counted), and the device
// ops check their buffers at the N-API boundary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/select.js';
import type { CudaBackend } from '../src/backend/cuda/backend.js';
import { castDeviceConfig, elementwiseKernels } from '../src/backend/cuda/kernels/elementwise.js';
import {
  deviceBinary,
  DeviceBinaryOp,
  deviceCopyBlock,
  deviceReduce,
  DeviceReduceOp,
  deviceTranspose,
  deviceUnary,
  DeviceUnaryOp,
} from '../src/native/device-ops-elementwise.js';
import { tf } from '../src/tf.js';

const CONFIGS = [...elementwiseKernels('cuda'), castDeviceConfig('cuda')];
const MY_KERNELS = CONFIGS.map((k) => k.kernelName);

beforeAll(async () => {
  await initBackend('cuda', { device: 'emulated' });
});
afterAll(() => initBackend('native'));

const cuda = () => tf.findBackend('cuda') as CudaBackend;

/** Deterministic values in about [-2, 2], with exact zeros and repeats among them. */
function data(shape: number[], seed = 1): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : Math.round((Math.sin(i * 0.731 + seed) * 2 + Math.cos(i * 0.17 * seed)) * 1e4) / 1e4));
}
const f32 = (shape: number[], seed = 1) => tf.tensor(data(shape, seed), shape);
const i32 = (shape: number[], seed = 1) => tf.tensor(Int32Array.from(data(shape, seed), (v) => Math.round(v * 3)), shape, 'int32');

type Output = { values: number[]; shape: number[]; dtype: string };

/** What `build` returns on a backend: every output's values, shape and dtype. */
async function outputsOn(backend: 'native' | 'cuda', build: () => tf.Tensor | tf.Tensor[]): Promise<Output[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const result = build();
    return (Array.isArray(result) ? result : [result]).map((t) => ({ values: Array.from(t.dataSync() as ArrayLike<number>), shape: t.shape, dtype: t.dtype }));
  });
}

/**
 * `build` gives the same outputs on 'cuda' (these device kernels) as on 'native': equal values (NaN
 * where native has NaN), or within `relTol` of them where the C++ math library's exp/log/pow may round
 * a double result one ulp away from V8's before it is stored as float32.
 */
async function expectSame(build: () => tf.Tensor | tf.Tensor[], relTol = 0): Promise<Output[]> {
  const native = await outputsOn('native', build);
  const before = { ...cuda().stats().fallbacksByKernel };
  const onDevice = await outputsOn('cuda', build);
  const after = cuda().stats().fallbacksByKernel;
  const fellBack = MY_KERNELS.filter((k) => (after[k] ?? 0) !== (before[k] ?? 0));
  expect(fellBack, 'kernels that ran as host fallbacks').toEqual([]);
  expect(onDevice.map((o) => [o.shape, o.dtype])).toEqual(native.map((o) => [o.shape, o.dtype]));
  native.forEach((n, k) => {
    const d = onDevice[k]!.values;
    expect(d.length).toBe(n.values.length);
    n.values.forEach((v, i) => {
      if (Number.isNaN(v)) expect(d[i], `output ${k}[${i}]`).toBeNaN();
      else if (relTol === 0 || d[i] === v) expect(d[i], `output ${k}[${i}]`).toBe(v);
      else expect(Math.abs(d[i]! - v), `output ${k}[${i}]: ${d[i]} vs ${v}`).toBeLessThanOrEqual(relTol * Math.max(1, Math.abs(v)));
    });
  });
  return native;
}

const withNaN = (shape: number[]) => tf.tensor(Float32Array.from(data(shape), (v, i) => (i === 5 ? NaN : v)), shape);

describe('unary device kernels', () => {
  const shapes = [[4, 2, 3, 5], [7], [], [0, 3]];
  it.each(shapes)('relu, step, sigmoid, neg, square (the addon loops) on %j', async (...shape) => {
    await expectSame(() => [tf.relu(f32(shape)), tf.step(f32(shape), 0.25), tf.sigmoid(f32(shape)), tf.neg(f32(shape)), tf.square(f32(shape))]);
  });
  it.each(shapes)('abs, floor, sqrt, rsqrt, clipByValue (tfjs-cpu formulas) on %j', async (...shape) => {
    await expectSame(() => [tf.abs(f32(shape)), tf.floor(f32(shape)), tf.sqrt(tf.abs(f32(shape))), tf.rsqrt(tf.abs(f32(shape))), tf.clipByValue(f32(shape), -0.7, 1.1)]);
  });
  it.each(shapes)('exp and log on %j', async (...shape) => {
    // exp/log: glibc vs V8 in double, then rounded to float32: one float ulp at most
    await expectSame(() => [tf.exp(f32(shape)), tf.log(tf.abs(f32(shape))), tf.log(f32(shape))], 2 ** -23);
  });
  it('keeps NaN where native does (step keeps it, relu and clip pass it through, sqrt of a negative)', async () => {
    const [step] = await expectSame(() => [tf.step(withNaN([9])), tf.relu(withNaN([9])), tf.clipByValue(withNaN([9]), -1, 1), tf.sqrt(f32([9]))]);
    expect(step!.values[5]).toBeNaN();
  });
});

describe('binary device kernels with broadcasting', () => {
  // same shape, scalar, last-axis row (bias), column, both sides broadcast, size-1 dims, empty
  const pairs: [number[], number[]][] = [
    [[4, 8], [4, 8]],
    [[4, 8], []],
    [[], [3, 2]],
    [[2, 3, 8], [8]],
    [[8], [2, 3, 8]],
    [[4, 1], [1, 5]],
    [[2, 1, 3], [4, 1]],
    [[1, 1, 1], [2, 1, 3]],
    [[3, 4, 2], [3, 1, 2]],
    [[0, 3], [3]],
  ];
  it.each(pairs)('add, sub, mul, div, maximum on %j and %j (float32)', async (a, b) => {
    await expectSame(() => [
      tf.add(f32(a), f32(b, 2)),
      tf.sub(f32(a), f32(b, 2)),
      tf.mul(f32(a), f32(b, 2)),
      tf.div(f32(a), f32(b, 2)),
      tf.maximum(f32(a), f32(b, 2)),
    ]);
  });
  it.each(pairs)('equal and less on %j and %j give bool (float32 and int32)', async (a, b) => {
    const [eq] = await expectSame(() => [tf.equal(f32(a), f32(b, 2)), tf.less(f32(a), f32(b, 2)), tf.equal(i32(a), i32(b, 2)), tf.less(i32(a), i32(b, 2))]);
    expect(eq!.dtype).toBe('bool');
  });
  it.each(pairs)('pow on %j and %j', async (a, b) => {
    await expectSame(() => [tf.pow(tf.abs(f32(a)), f32(b, 2)), tf.pow(f32(a), tf.round(f32(b, 2)))], 2 ** -23);
  });
  it('int32 add, sub, mul, maximum, pow broadcast and stay int32', async () => {
    const [sum] = await expectSame(() => [
      tf.add(i32([4, 3]), i32([3], 2)),
      tf.sub(i32([4, 1]), i32([1, 3], 2)),
      tf.mul(i32([2, 3]), i32([], 2)),
      tf.maximum(i32([2, 3]), i32([2, 3], 2)),
      tf.pow(i32([2, 3]), tf.tensor2d([[0, 1, 2], [3, 2, 1]], [2, 3], 'int32')),
    ]);
    expect(sum!.dtype).toBe('int32');
  });
  it('maximum and comparisons with NaN as Math.max and JS comparisons give them', async () => {
    await expectSame(() => [tf.maximum(withNaN([9]), f32([9], 3)), tf.maximum(f32([9], 3), withNaN([9])), tf.equal(withNaN([9]), withNaN([9])), tf.less(withNaN([9]), f32([9], 3))]);
  });
});

describe('AddN, Fill, ZerosLike, OneHot, Cast', () => {
  it('addN sums 2 and 3 inputs in order (float32, int32)', async () => {
    await expectSame(() => [tf.addN([f32([4, 5]), f32([4, 5], 2)]), tf.addN([f32([3, 2, 2]), f32([3, 2, 2], 2), f32([3, 2, 2], 3)]), tf.addN([i32([6]), i32([6], 2)])]);
  });
  it('fill and zerosLike for float32, int32 and bool, and empty', async () => {
    await expectSame(() => [
      tf.fill([2, 3], 1.1),
      tf.fill([4], 7, 'int32'),
      tf.fill([3], 1, 'bool'),
      tf.fill([0, 2], 3),
      tf.zerosLike(f32([3, 4])),
      tf.zerosLike(i32([5])),
      tf.zerosLike(tf.equal(f32([2]), f32([2]))),
    ]);
  });
  it('oneHot of labels, with indices out of range, to float32 and int32', async () => {
    const labels = () => tf.tensor1d([0, 2, 1, 5, -1, 2], 'int32');
    await expectSame(() => [tf.oneHot(labels(), 3), tf.oneHot(labels(), 4, 2, -1), tf.oneHot(labels(), 3, 1, 0, 'int32'), tf.oneHot(tf.tensor2d([[1, 0], [2, 2]], [2, 2], 'int32'), 3)]);
  });
  it('cast between float32, int32 and bool (truncation, NaN, negative zero)', async () => {
    const x = () => tf.tensor([1.7, -1.7, 0, -0, NaN, 2.5, -3e9, 0.2], [8]);
    const [toInt] = await expectSame(() => {
      const b = tf.cast(x(), 'bool');
      const i = tf.cast(x(), 'int32');
      return [i, b, tf.cast(i, 'float32'), tf.cast(i, 'bool'), tf.cast(b, 'float32'), tf.cast(b, 'int32'), tf.cast(x(), 'float32')];
    });
    expect(toInt!.values.slice(0, 3)).toEqual([1, -1, 0]);
  });
});

describe('reductions', () => {
  const x = () => f32([4, 3, 5, 6]);
  // leading (batch-norm statistics), middle (pooling), last, non-contiguous, every axis, one axis given twice as negative
  const axesCases: (number | number[] | undefined)[] = [0, [0, 1, 2], [1, 2], 3, -1, [0, 2], [3, 1], undefined, [2, 0]];
  it.each(axesCases)('sum, mean and max over axes %j, with and without keepDims', async (axis) => {
    await expectSame(() => [tf.sum(x(), axis), tf.mean(x(), axis), tf.max(x(), axis), tf.sum(x(), axis, true), tf.mean(x(), axis, true), tf.max(x(), axis, true)]);
  });
  it('int32 sum and max, bool sum (as int32), and argMax on every axis', async () => {
    await expectSame(() => [
      tf.sum(i32([4, 6]), 1),
      tf.sum(i32([4, 6]), [0, 1]),
      tf.max(i32([4, 6]), 0),
      tf.sum(tf.less(f32([4, 6]), f32([4, 6], 2)), 1),
      tf.argMax(x(), 0),
      tf.argMax(x(), 2),
      tf.argMax(x(), -1),
      tf.argMax(i32([5, 4]), 1),
    ]);
  });
  it('argMax takes the first maximum; max and softmax propagate NaN', async () => {
    const [arg] = await expectSame(() => [tf.argMax(tf.tensor2d([[1, 3, 3, 0], [2, 2, 2, 2]]), 1), tf.max(withNaN([3, 3]), 1), tf.softmax(withNaN([3, 3]))]);
    expect(arg!.values).toEqual([1, 0]);
  });
  it('sums a large per-channel reduction (the addon parallel path) as native does', async () => {
    // [2^21 + 8 rows, 2 channels]: above the addon's parallel threshold
    await expectSame(() => [tf.sum(f32([(1 << 20) + 4, 2]), 0), tf.mean(f32([(1 << 20) + 4, 2]), 0)]);
  });
  it('empty reductions and reductions of empty tensors', async () => {
    await expectSame(() => [tf.sum(f32([0, 3]), 0), tf.mean(f32([3, 0]), 0), tf.sum(f32([0, 3]), 1), tf.sum(f32([2, 3]), []), tf.mean(f32([2, 3]), [])]);
  });
});

describe('softmax', () => {
  it.each([[[4, 10]], [[2, 3, 7]], [[5]], [[3, 1]]])('along the last axis of %j', async (shape) => {
    await expectSame(() => [tf.softmax(tf.mul(f32(shape), 3)), tf.softmax(f32(shape))], 2 ** -23);
  });
});

describe('layout device kernels', () => {
  it('concat along every axis, with an empty input and int32/bool tensors', async () => {
    await expectSame(() => [
      tf.concat([f32([2, 3, 4]), f32([2, 3, 4], 2)], 0),
      tf.concat([f32([2, 3, 4]), f32([2, 1, 4], 2), f32([2, 2, 4], 3)], 1),
      tf.concat([f32([2, 3, 4]), f32([2, 3, 1], 2)], -1),
      tf.concat([f32([2, 0]), f32([2, 3], 2)], 1),
      tf.concat([i32([3]), i32([2], 2)]),
      tf.concat([tf.less(f32([2, 2]), 0), tf.less(f32([2, 2], 2), 0)], 1),
    ]);
  });
  it('split into given sizes and equal pieces along each axis', async () => {
    await expectSame(() => [
      ...tf.split(f32([6, 4, 3]), [2, 3, 1], 0),
      ...tf.split(f32([6, 4, 3]), 2, 1),
      ...tf.split(f32([6, 4, 3]), [1, 0, 2], 2),
      ...tf.split(i32([4, 6]), [2, -1], 1),
    ]);
  });
  it('transpose with the perms the model uses, on float32, int32 and bool', async () => {
    await expectSame(() => [
      tf.transpose(f32([3, 5])),
      tf.transpose(f32([2, 3, 4, 5]), [0, 3, 1, 2]),
      tf.transpose(f32([2, 3, 4]), [2, 0, 1]),
      tf.transpose(i32([2, 1, 3]), [1, 2, 0]),
      tf.transpose(tf.less(f32([2, 3]), 0)),
      tf.transpose(f32([0, 3])),
    ]);
  });
});

describe('fallbacks and boundary checks', () => {
  it('an int32 unary kernel still runs, as a counted host fallback', async () => {
    const before = cuda().stats().fallbacksByKernel.Abs ?? 0;
    await expectSame(() => []);
    const [out] = await outputsOn('cuda', () => tf.abs(tf.tensor1d([-3, 4], 'int32')));
    expect(out!.values).toEqual([3, 4]);
    expect(cuda().stats().fallbacksByKernel.Abs).toBe(before + 1);
  });
  it('a device op rejects a buffer whose size is not its shape × dtype, naming the argument', async () => {
    await tf.setBackend('cuda');
    const device = cuda().device;
    const x = device.alloc(16);
    const out = device.alloc(12);
    try {
      expect(() => deviceUnary(device, DeviceUnaryOp.Relu, x, out, 4)).toThrow(/^out: expected a buffer of 16 bytes/);
      expect(() => deviceUnary(device, 99 as DeviceUnaryOp, x, x, 4)).toThrow(/op: expected an op code 0\.\.11/);
      expect(() => deviceBinary(device, DeviceBinaryOp.Add, 'float32', x, [4], x, [4], x, [2, 2])).toThrow(/^outShape: expected the broadcast of \[4\] and \[4\]/);
      expect(() => deviceBinary(device, DeviceBinaryOp.Add, 'float32', x, [3], x, [4], x, [4])).toThrow(/^outShape: expected the broadcast/);
      expect(() => deviceBinary(device, DeviceBinaryOp.Equal, 'float32', x, [4], x, [4], x, [4])).toThrow(/^out: expected a buffer of 4 bytes/);
      expect(() => deviceReduce(device, DeviceReduceOp.Sum, 'float32', x, [2, 2], [2], x)).toThrow(/^axes: expected distinct axes in 0\.\.1/);
      expect(() => deviceReduce(device, DeviceReduceOp.Sum, 'float32', x, [2, 2], [0, 0], x)).toThrow(/^axes: expected distinct axes/);
      expect(() => deviceTranspose(device, 'float32', x, [2, 2], [0, 0], x)).toThrow(/^perm: expected a permutation/);
      expect(() => deviceCopyBlock(device, 'float32', { buffer: x, rowLength: 2, offset: 1 }, { buffer: x, rowLength: 2, offset: 0 }, 2, 2)).toThrow(/columns must lie inside a row/);
      expect(() => deviceUnary(device, DeviceUnaryOp.Relu, x, 123456, 4)).toThrow(/^out: unknown buffer 123456/);
    } finally {
      device.free(x);
      device.free(out);
    }
  });
});
