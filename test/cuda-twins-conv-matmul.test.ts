// The convolution and matrix-product device ops: CUDA (cuDNN / cuBLAS where loaded, our kernels
// under MNF_CUDA_KERNELS=own) against the emulated twin where a GPU is usable; everywhere, the case
// tables checked against an independent JS reference, the emulated bf16 rule on hand-made values,
// and the math mode (precision, tf32) carried from backend cuda's kernels to the op.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BatchMatMul, Conv2D, type NamedAttrMap } from '@tensorflow/tfjs-core';
import type { CudaBackend } from '../src/backend/cuda/backend.js';
import { DEFAULT_MATH_MODE } from '../src/backend/cuda/math-mode.js';
import { initBackend } from '../src/backend/select.js';
import { loadAddon } from '../src/native/addon.js';
import { deviceConv, deviceMatMul } from '../src/native/device-ops-conv-matmul.js';
import { MatMulActivation } from '../src/native/kernels.js';
import { allocate, download, relativeError, upload } from '../src/native/twins/buffers.js';
import {
  BF16,
  CONV_DIRECTIONS,
  CONV_SPECS,
  convOperands,
  convOutputShape,
  convTwinCases,
  FP32_NO_TF32,
  runConv,
  type ConvDirection,
  type ConvOperands,
  type ConvSpec,
} from '../src/native/twins/conv.js';
import { MATMUL_SPECS, matMulDims, matMulOperands, matMulTwinCases, runMatMul, type MatMulOperands, type MatMulSpec } from '../src/native/twins/matmul.js';
import { tf } from '../src/tf.js';
import { describeTwinCases, emulated } from './cuda-twin.js';

describeTwinCases('conv', convTwinCases);
describeTwinCases('matmul', matMulTwinCases);

// ---- independent references (float64, direct loops) ----

const strides = (shape: number[]): number[] => shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));

/** Every (output position, tap, input position) of the convolution, as flat indices of x (without channel), y, w. */
function* taps(spec: ConvSpec): Generator<[xBase: number, yBase: number, wBase: number]> {
  const y = convOutputShape(spec);
  const { x, w, geometry: g } = spec;
  const spatial = x.length - 2;
  const xs = strides(x);
  const ys = strides(y);
  const ws = strides(w);
  const outCount = y.slice(0, -1).reduce((p, d) => p * d, 1);
  const tapCount = w.slice(0, spatial).reduce((p, d) => p * d, 1);
  for (let o = 0; o < outCount; o++) {
    const n = Math.floor(o / (outCount / y[0]!));
    let rest = o % (outCount / y[0]!);
    const out: number[] = [];
    for (let i = 0; i < spatial; i++) {
      const span = y.slice(i + 2, -1).reduce((p, d) => p * d, 1);
      out.push(Math.floor(rest / span));
      rest %= span;
    }
    for (let t = 0; t < tapCount; t++) {
      let tr = t;
      let xBase = n * xs[0]!;
      let wBase = 0;
      let inside = true;
      for (let i = 0; i < spatial; i++) {
        const span = w.slice(i + 1, spatial).reduce((p, d) => p * d, 1);
        const k = Math.floor(tr / span);
        tr %= span;
        const pos = out[i]! * g.strides[i]! - g.padBefore[i]! + k * g.dilations[i]!;
        if (pos < 0 || pos >= x[i + 1]!) inside = false;
        xBase += pos * xs[i + 1]!;
        wBase += k * ws[i]!;
      }
      if (!inside) continue;
      let yBase = n * ys[0]!;
      for (let i = 0; i < spatial; i++) yBase += out[i]! * ys[i + 1]!;
      yield [xBase, yBase, wBase];
    }
  }
}

function referenceConv(spec: ConvSpec, direction: ConvDirection, o: ConvOperands): Float64Array {
  const cin = spec.x[spec.x.length - 1]!;
  const cout = spec.w[spec.w.length - 1]!;
  const out = new Float64Array(o.outShape.reduce((p, d) => p * d, 1));
  for (const [xb, yb, wb] of taps(spec)) {
    for (let ci = 0; ci < cin; ci++) {
      for (let co = 0; co < cout; co++) {
        const wi = wb + ci * cout + co;
        if (direction === 'forward') out[yb + co] += o.in0[xb + ci]! * o.in1[wi]!;
        else if (direction === 'backward-data') out[xb + ci] += o.in0[yb + co]! * o.in1[wi]!;
        else out[wi] += o.in0[xb + ci]! * o.in1[yb + co]!;
      }
    }
  }
  return out;
}

const ACTIVATE: Record<MatMulActivation, (v: number, alpha: number) => number> = {
  [MatMulActivation.Linear]: (v) => v,
  [MatMulActivation.Relu]: (v) => Math.max(v, 0),
  [MatMulActivation.Relu6]: (v) => Math.min(Math.max(v, 0), 6),
  [MatMulActivation.Elu]: (v) => (v > 0 ? v : Math.expm1(v)),
  [MatMulActivation.Sigmoid]: (v) => 1 / (1 + Math.exp(-v)),
  [MatMulActivation.LeakyRelu]: (v, alpha) => (v > 0 ? v : alpha * v),
};

function referenceMatMul(s: MatMulSpec, o: MatMulOperands): Float64Array {
  const { batch, m, k, n } = matMulDims(s);
  const out = new Float64Array(batch * m * n);
  const at = (z: number, r: number, c: number) => o.a[(s.a[0] === 1 ? 0 : z) * m * k + (s.transposeA ? c * m + r : r * k + c)]!;
  const bt = (z: number, r: number, c: number) => o.b[(s.b[0] === 1 ? 0 : z) * k * n + (s.transposeB ? c * k + r : r * n + c)]!;
  for (let z = 0; z < batch; z++) {
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let sum = o.bias ? o.bias[c]! : 0;
        for (let i = 0; i < k; i++) sum += at(z, r, i) * bt(z, i, c);
        out[(z * m + r) * n + c] = ACTIVATE[s.activation](sum, s.leakyAlpha);
      }
    }
  }
  return out;
}

describe('the case tables against an independent reference (emulated device, fp32)', () => {
  it.each(CONV_SPECS.flatMap((spec) => CONV_DIRECTIONS.map((direction) => [`${direction} ${spec.label}`, spec, direction] as const)))(
    'conv %s',
    (_, spec, direction) => {
      const operands = convOperands(spec, direction);
      const actual = runConv(emulated, spec, direction, operands, FP32_NO_TF32);
      expect(relativeError(actual, referenceConv(spec, direction, operands))).toBeLessThanOrEqual(1e-5);
    },
  );

  it.each(MATMUL_SPECS.map((s) => [s.label, s] as const))('matmul %s', (_, s) => {
    const operands = matMulOperands(s);
    expect(relativeError(runMatMul(emulated, s, operands, FP32_NO_TF32), referenceMatMul(s, operands))).toBeLessThanOrEqual(1e-5);
  });
});

describe('bf16 on the emulated device: operands and output rounded to bf16 (nearest, ties to even), fp32 accumulation', () => {
  const e = 2 ** -7; // one bf16 step above 1

  /** out = a · b of shapes (1, m, k) · (1, k, n) on the emulated device */
  function product(a: number[], b: number[], m: number, k: number, n: number, math = BF16, bias?: number[], activation = MatMulActivation.Linear): number[] {
    const s: MatMulSpec = { label: '', a: [1, m, k], b: [1, k, n], transposeA: false, transposeB: false, bias: bias !== undefined, activation, leakyAlpha: 0.5 };
    return Array.from(runMatMul(emulated, s, { a: Float32Array.from(a), b: Float32Array.from(b), bias: bias && Float32Array.from(bias) }, math));
  }

  it('rounds each operand to the nearest bf16 before the product', () => {
    expect(product([1 + 2 ** -9], [1], 1, 1, 1)).toEqual([1]);
    expect(product([1 + 2 ** -9], [1], 1, 1, 1, FP32_NO_TF32)).toEqual([1 + 2 ** -9]);
    expect(product([1 + 0.75 * e], [1], 1, 1, 1)).toEqual([1 + e]);
    expect(product([-(1 + 0.75 * e)], [2], 1, 1, 1)).toEqual([-2 * (1 + e)]);
  });

  it('breaks ties to the even bf16', () => {
    expect(product([1 + e / 2], [1], 1, 1, 1)).toEqual([1]);
    expect(product([1 + 1.5 * e], [1], 1, 1, 1)).toEqual([1 + 2 * e]);
  });

  it('accumulates in fp32 and rounds the output once', () => {
    // 1 + 2^-8 and 1 + 3·2^-8 are exact sums of bf16 operands, ties in bf16
    expect(product([1, 1], [1, e / 2], 1, 2, 1)).toEqual([1]);
    expect(product([1, 1], [1, 1.5 * e], 1, 2, 1)).toEqual([1 + 2 * e]);
    // 1 + 256 · 2^-9 = 1.5 in fp32; a bf16 accumulator would stay at 1 (1 + 2^-9 rounds back to 1 each step)
    expect(product([1, ...Array<number>(256).fill(1)], [1, ...Array<number>(256).fill(2 ** -9)], 1, 257, 1)).toEqual([1.5]);
  });

  it('adds the bias (rounded to bf16) before the output rounding, then rounds the activation again', () => {
    expect(product([1], [1], 1, 1, 1, BF16, [2 ** -9])).toEqual([1]);
    expect(product([1], [1], 1, 1, 1, FP32_NO_TF32, [2 ** -9])).toEqual([1 + 2 ** -9]);
    // leaky relu: bf16(-3) · 0.5 = -1.5; sigmoid(0) = 0.5 (exact); sigmoid(1) rounded to bf16
    expect(product([-3], [1], 1, 1, 1, BF16, [0], MatMulActivation.LeakyRelu)).toEqual([-1.5]);
    const sigmoid1 = product([1], [1], 1, 1, 1, BF16, [0], MatMulActivation.Sigmoid)[0]!;
    expect(sigmoid1).toBe(0.73046875); // 1 / (1 + e^-1) = 0.7310586 → bf16 0.73046875
  });

  it('applies the same rule to convolutions, in all three directions', () => {
    const spec: ConvSpec = { label: '1×1', x: [1, 1, 1, 1], w: [1, 1, 1, 1], geometry: { strides: [1, 1], dilations: [1, 1], padBefore: [0, 0], padAfter: [0, 0] } };
    const run = (direction: ConvDirection, a: number, b: number, math = BF16) =>
      runConv(emulated, spec, direction, { in0: Float32Array.of(a), in0Shape: [1, 1, 1, 1], in1: Float32Array.of(b), in1Shape: [1, 1, 1, 1], outShape: [1, 1, 1, 1] }, math)[0];
    for (const direction of CONV_DIRECTIONS) {
      expect(run(direction, 1 + 2 ** -9, 1), direction).toBe(1);
      expect(run(direction, 1 + 2 ** -9, 1, FP32_NO_TF32), direction).toBe(1 + 2 ** -9);
      expect(run(direction, 1 + e / 2, 1), direction).toBe(1);
      expect(run(direction, 1 + 1.5 * e, 1), direction).toBe(1 + 2 * e);
    }
  });

  it('leaves the operand buffers (the fp32 master weights) unrounded', () => {
    const spec = CONV_SPECS[2]!;
    const operands = convOperands(spec, 'forward');
    const x = upload(emulated, operands.in0);
    const w = upload(emulated, operands.in1);
    const y = allocate(emulated, convOutputShape(spec).reduce((p, d) => p * d, 1));
    deviceConv(emulated, x, operands.in0Shape, w, operands.in1Shape, y, operands.outShape, spec.geometry, BF16);
    expect(download(emulated, w, new Float32Array(operands.in1.length))).toEqual(operands.in1);
    expect(download(emulated, x, new Float32Array(operands.in0.length))).toEqual(operands.in0);
    const out = download(emulated, y, new Float32Array(operands.outShape.reduce((p, d) => p * d, 1)));
    const isBf16 = (v: number) => (new Uint32Array(Float32Array.of(v).buffer)[0]! & 0xffff) === 0;
    expect(out.every(isBf16)).toBe(true);
    expect(operands.in1.every(isBf16)).toBe(false);
    for (const id of [x, w, y]) emulated.free(id);
  });
});

describe('the math mode at the N-API boundary and from backend cuda', () => {
  it('rejects a precision other than fp32 / bf16 and a non-boolean tf32, in one line naming the argument', () => {
    const a = upload(emulated, Float32Array.of(1));
    const out = allocate(emulated, 1);
    const call = (precision: unknown, tf32: unknown) => () => loadAddon().deviceMatMul(emulated.handle, a, [1, 1, 1], a, [1, 1, 1], out, false, false, null, 0, 0, precision as 'fp32', tf32 as boolean);
    expect(call('fp16', false)).toThrow(/^precision: expected 'fp32' or 'bf16', got 'fp16'$/);
    expect(call(undefined, false)).toThrow(/^missing argument 11 \(precision\)$/);
    expect(call(16, false)).toThrow(/^precision: expected a string$/);
    expect(call('fp32', 'on')).toThrow(/^tf32: expected a boolean$/);
    expect(() =>
      loadAddon().deviceConv(emulated.handle, a, [1, 1, 1, 1], a, [1, 1, 1, 1], out, [1, 1, 1, 1], [1, 1], [1, 1], [0, 0], [0, 0], 'bf17' as 'bf16', false),
    ).toThrow(/^precision: expected 'fp32' or 'bf16', got 'bf17'$/);
    deviceMatMul(emulated, a, [1, 1, 1], a, [1, 1, 1], out, { transposeA: false, transposeB: false, activation: MatMulActivation.Linear, leakyAlpha: 0 }, BF16);
    emulated.free(a);
    emulated.free(out);
  });

  describe('backend cuda (emulated device)', () => {
    beforeAll(async () => {
      await initBackend('cuda', { device: 'emulated' });
    });
    afterAll(() => initBackend('native'));
    const cuda = () => tf.findBackend('cuda') as CudaBackend;

    it.each([
      { precision: 'fp32', tf32: true },
      { precision: 'fp32', tf32: false },
      { precision: 'bf16', tf32: false },
    ] as const)('passes backend.math $precision tf32 $tf32 to every conv and matmul call', async (math) => {
      await tf.setBackend('cuda');
      cuda().math = { ...math };
      const addon = loadAddon();
      const conv = vi.spyOn(addon, 'deviceConv');
      const matMul = vi.spyOn(addon, 'deviceMatMul');
      try {
        const x = tf.tensor4d([1 + 2 ** -9, 2, 3, 4], [1, 2, 2, 1]);
        const w = tf.tensor4d([1], [1, 1, 1, 1]);
        const y = tf.engine().runKernel(Conv2D, { x, filter: w }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] } as unknown as NamedAttrMap) as tf.Tensor;
        const p = tf.engine().runKernel(BatchMatMul, { a: tf.tensor3d([1 + 2 ** -9], [1, 1, 1]), b: tf.tensor3d([1], [1, 1, 1]) }, { transposeA: false, transposeB: false }) as tf.Tensor;
        expect(conv.mock.calls.at(-1)!.slice(-2)).toEqual([math.precision, math.tf32]);
        expect(matMul.mock.calls.at(-1)!.slice(-2)).toEqual([math.precision, math.tf32]);
        const first = math.precision === 'bf16' ? 1 : 1 + 2 ** -9;
        expect((await y.data())[0]).toBe(first);
        expect((await p.data())[0]).toBe(first);
        tf.dispose([x, w, y, p]);
      } finally {
        conv.mockRestore();
        matMul.mockRestore();
        cuda().math = { ...DEFAULT_MATH_MODE };
      }
    });
  });
});
