// The element-wise, reduction/softmax and layout ops' CUDA kernels against their emulated twins
// (skipped with the reason where no GPU is usable), and some of the cases' emulated outputs against
// references written here in JS, so the case builders are proven where no GPU is.
import { describe, expect, it } from 'vitest';
import { addonProblem } from '../src/native/addon.js';
import { DeviceBinaryOp, DeviceReduceOp } from '../src/native/device-ops-elementwise.js';
import { relativeError } from '../src/native/twins/buffers.js';
import {
  addNCase,
  addNInputs,
  binaryCase,
  binaryInputs,
  broadcastShape,
  castCase,
  castInput,
  ELEMENTWISE_TWIN_CASES,
  fillCase,
  oneHotCase,
  oneHotIndices,
  type AddNSpec,
  type BinarySpec,
  type OneHotSpec,
} from '../src/native/twins/elementwise.js';
import { copyBlockCase, copyBlockInputs, LAYOUT_TWIN_CASES, layoutValues, transposeCase, type CopyBlockSpec, type TransposeSpec } from '../src/native/twins/layout.js';
import { REDUCE_TWIN_CASES, reduceCase, reducedShape, reduceInput, softmaxCase, softmaxInput, type ReduceSpec, type SoftmaxSpec } from '../src/native/twins/reduce.js';
import type { TwinCase } from '../src/native/twins/types.js';
import { describeTwinCases, emulated } from './cuda-twin.js';

type Shape = number[];
const sizeOf = (shape: Shape) => shape.reduce((a, b) => a * b, 1);
const stridesOf = (shape: Shape) => shape.map((_, i) => sizeOf(shape.slice(i + 1)));
/** the coordinates of row-major element `index` of `shape` */
function coordinates(index: number, shape: Shape): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = index % shape[d]!;
    index = Math.floor(index / shape[d]!);
  }
  return c;
}

async function emulatedOutput(c: TwinCase): Promise<number[]> {
  const outputs = await c.run(emulated);
  expect(outputs).toHaveLength(1);
  return Array.from(outputs[0]!);
}

describe.skipIf(addonProblem() !== undefined)('element-wise, reduction and layout twin cases', () => {
  describeTwinCases('elementwise', ELEMENTWISE_TWIN_CASES);
  describeTwinCases('reduce', REDUCE_TWIN_CASES);
  describeTwinCases('layout', LAYOUT_TWIN_CASES);

  describe('emulated outputs against JS references', () => {
    /** a op b with numpy broadcasting, each result passed through `store` (a typed array's conversion) */
    function broadcastReference(spec: BinarySpec, f: (a: number, b: number) => number): number[] {
      const { a, b } = binaryInputs(spec);
      const outShape = broadcastShape(spec.aShape, spec.bShape);
      const index = (shape: Shape, c: number[]) => {
        const lead = c.length - shape.length;
        return shape.reduce((acc, size, d) => acc * size + (size === 1 ? 0 : c[lead + d]!), 0);
      };
      return Array.from({ length: sizeOf(outShape) }, (_, i) => {
        const c = coordinates(i, outShape);
        return f(a[index(spec.aShape, c)]!, b[index(spec.bShape, c)]!);
      });
    }

    it('float32 Add broadcasts both sides and rounds once', async () => {
      const spec: BinarySpec = { op: DeviceBinaryOp.Add, dtype: 'float32', aShape: [4, 1, 6], bShape: [5, 1], seed: 7 };
      expect(await emulatedOutput(binaryCase(spec))).toEqual(broadcastReference(spec, (a, b) => Math.fround(a + b)));
    });

    it('int32 Mul and Div store the double result into an Int32Array (wrapping, x/0 → 0)', async () => {
      const mul: BinarySpec = { op: DeviceBinaryOp.Mul, dtype: 'int32', aShape: [4, 5, 6], bShape: [6], seed: 8 };
      const mulRef = broadcastReference(mul, (a, b) => (a * b) | 0);
      expect(mulRef.some((v, i) => v !== binaryInputs(mul).a[i]! * binaryInputs(mul).b[i % 6]!)).toBe(true);
      expect(await emulatedOutput(binaryCase(mul))).toEqual(mulRef);
      const div: BinarySpec = { op: DeviceBinaryOp.Div, dtype: 'int32', aShape: [32, 1], bShape: [32, 51], seed: 9 };
      expect(binaryInputs(div).b.includes(0)).toBe(true);
      expect(await emulatedOutput(binaryCase(div))).toEqual(broadcastReference(div, (a, b) => (a / b) | 0));
    });

    it('float32 Pow matches JS ** within one float32 ulp, Equal gives bool', async () => {
      const pow: BinarySpec = { op: DeviceBinaryOp.Pow, dtype: 'float32', aShape: [3, 70], bShape: [], seed: 10 };
      const got = await emulatedOutput(binaryCase(pow));
      expect(relativeError(got, broadcastReference(pow, (a, b) => Math.fround(a ** b)))).toBeLessThanOrEqual(2 ** -22);
      const equal: BinarySpec = { op: DeviceBinaryOp.Equal, dtype: 'float32', aShape: [32, 1], bShape: [32, 51], seed: 11 };
      const equalRef = broadcastReference(equal, (a, b) => (a === b ? 1 : 0));
      expect(equalRef).toContain(1);
      expect(await emulatedOutput(binaryCase(equal))).toEqual(equalRef);
    });

    it('AddN sums in input order (int32 wrapping at each step)', async () => {
      const spec: AddNSpec = { dtype: 'int32', size: 100, inputs: 9, seed: 12 };
      const inputs = addNInputs(spec);
      const ref = Array.from({ length: spec.size }, (_, i) => inputs.reduce((acc, x) => (acc + x[i]!) | 0, 0));
      expect(await emulatedOutput(addNCase(spec))).toEqual(ref);
    });

    it('Fill, OneHot and Cast convert as Typed Arrays store numbers', async () => {
      expect(await emulatedOutput(fillCase('bool', 3, 257))).toEqual([1, 1, 1]);
      expect(await emulatedOutput(fillCase('int32', 2, -7.9))).toEqual([-7, -7]);
      const oneHot: OneHotSpec = { size: 50, depth: 7, onValue: 5.7, offValue: -1.2, dtype: 'int32', seed: 13 };
      const indices = oneHotIndices(oneHot);
      expect(indices).toContain(-1);
      expect(indices).toContain(7);
      const oneHotRef = Array.from({ length: 50 * 7 }, (_, e) => (indices[Math.floor(e / 7)] === e % 7 ? 5 : -1));
      expect(await emulatedOutput(oneHotCase(oneHot))).toEqual(oneHotRef);
      const floats = castInput('float32', 100, 14);
      expect(floats.some((v) => Math.abs(v) > 2 ** 31)).toBe(true);
      expect(await emulatedOutput(castCase('float32', 'int32', 100, 14))).toEqual(Array.from(floats, (v) => v | 0));
      const bytes = castInput('bool', 100, 15);
      expect(await emulatedOutput(castCase('bool', 'bool', 100, 15))).toEqual(Array.from(bytes, (v) => (v !== 0 ? 1 : 0)));
      const ints = castInput('int32', 100, 16);
      expect(await emulatedOutput(castCase('int32', 'float32', 100, 16))).toEqual(Array.from(ints, (v) => Math.fround(v)));
    });

    /** `fold` over each output's reduced elements, in the reduced axes' given order */
    function reduceReference(spec: ReduceSpec, fold: (values: number[]) => number): number[] {
      const x = reduceInput(spec);
      const strides = stridesOf(spec.shape);
      const kept = spec.shape.map((_, i) => i).filter((i) => !spec.axes.includes(i));
      const reducedSizes = spec.axes.map((a) => spec.shape[a]!);
      return Array.from({ length: sizeOf(reducedShape(spec.shape, spec.axes)) }, (_, o) => {
        const oc = coordinates(o, kept.map((i) => spec.shape[i]!));
        const base = kept.reduce((acc, axis, k) => acc + oc[k]! * strides[axis]!, 0);
        const values = Array.from({ length: sizeOf(reducedSizes) }, (_, j) => {
          const rc = coordinates(j, reducedSizes);
          return x[base + spec.axes.reduce((acc, axis, k) => acc + rc[k]! * strides[axis]!, 0)]!;
        });
        return fold(values);
      });
    }

    it('Sum and Mean over axes apart: double sums, Mean dividing each element first', async () => {
      const sum: ReduceSpec = { op: DeviceReduceOp.Sum, dtype: 'float32', shape: [30, 5, 40], axes: [0, 2], seed: 17 };
      const sumRef = reduceReference(sum, (v) => Math.fround(v.reduce((a, b) => a + b, 0)));
      expect(relativeError(await emulatedOutput(reduceCase(sum)), sumRef)).toBe(0);
      const mean: ReduceSpec = { ...sum, op: DeviceReduceOp.Mean };
      const meanRef = reduceReference(mean, (v) => Math.fround(v.reduce((a, b) => a + Math.fround(b / v.length), 0)));
      expect(await emulatedOutput(reduceCase(mean))).toEqual(meanRef);
    });

    it('ArgMax takes the first maximum, skips NaN and keeps index 0 when the first element is NaN; Max of ties', async () => {
      const argMax = (v: number[]) => v.reduce((best, x, j) => (x > v[best]! ? j : best), 0);
      const nan: ReduceSpec = { op: DeviceReduceOp.ArgMax, dtype: 'float32', shape: [32, 51], axes: [1], values: 'nan', seed: 18 };
      expect(reduceInput(nan).some((v, i) => Number.isNaN(v) && i % 51 === 0)).toBe(true);
      expect(await emulatedOutput(reduceCase(nan))).toEqual(reduceReference(nan, argMax));
      const ties: ReduceSpec = { op: DeviceReduceOp.ArgMax, dtype: 'float32', shape: [1000, 64], axes: [0], values: 'ties', seed: 19 };
      expect(await emulatedOutput(reduceCase(ties))).toEqual(reduceReference(ties, argMax));
      const max: ReduceSpec = { ...ties, op: DeviceReduceOp.Max, axes: [1] };
      expect(await emulatedOutput(reduceCase(max))).toEqual(reduceReference(max, (v) => Math.max(...v)));
    });

    it('int32 Sum wraps the exact sum', async () => {
      const spec: ReduceSpec = { op: DeviceReduceOp.Sum, dtype: 'int32', shape: [30, 5, 40], axes: [0, 2], values: 'wrap', seed: 20 };
      expect(await emulatedOutput(reduceCase(spec))).toEqual(reduceReference(spec, (v) => v.reduce((a, b) => a + b, 0) | 0));
    });

    it('Softmax equals the double formula within float32 rounding', async () => {
      const spec: SoftmaxSpec = { rows: 32, cols: 51, scale: 10, seed: 21 };
      const x = softmaxInput(spec);
      const ref: number[] = [];
      for (let r = 0; r < spec.rows; r++) {
        const row = Array.from(x.subarray(r * spec.cols, (r + 1) * spec.cols));
        const m = Math.max(...row);
        const e = row.map((v) => Math.exp(v - m));
        const total = e.reduce((a, b) => a + b, 0);
        ref.push(...e.map((v) => v / total));
      }
      expect(relativeError(await emulatedOutput(softmaxCase(spec)), ref)).toBeLessThanOrEqual(1e-6);
    });

    it('Transpose NDHWC → NCDHW and CopyBlock into the middle of rows move every element where it belongs', async () => {
      const t: TransposeSpec = { dtype: 'float32', shape: [2, 4, 6, 6, 8], perm: [0, 4, 1, 2, 3], seed: 22 };
      const x = layoutValues(t.dtype, sizeOf(t.shape), t.seed);
      const outShape = t.perm.map((p) => t.shape[p]!);
      const xStrides = stridesOf(t.shape);
      const transposed = Array.from({ length: x.length }, (_, i) => {
        const c = coordinates(i, outShape);
        return x[t.perm.reduce((acc, p, k) => acc + c[k]! * xStrides[p]!, 0)]!;
      });
      expect(await emulatedOutput(transposeCase(t))).toEqual(transposed);

      const spec: CopyBlockSpec = { dtype: 'float32', rows: 37, cols: 5, src: { rowLength: 5, offset: 0 }, dst: { rowLength: 12, offset: 3 }, seed: 23 };
      const { src, dst } = copyBlockInputs(spec);
      const copied = Array.from(dst);
      for (let r = 0; r < spec.rows; r++) {
        for (let c = 0; c < spec.cols; c++) copied[r * 12 + 3 + c] = src[r * 5 + c]!;
      }
      expect(await emulatedOutput(copyBlockCase(spec))).toEqual(copied);
    });
  });
});
