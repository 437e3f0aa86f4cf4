// Twin cases of the element-wise device ops (native/device/cuda/elementwise.cu against
// native/device/ops_elementwise.cc): every unary and binary op code, numpy broadcasting patterns,
// float32 and int32 (bool comparisons), AddN, Fill, OneHot and every Cast, at the model's shapes,
// at 1<<16 elements, at size 1, and empty (an empty op followed by a small one, whose output is checked).
import type { DeviceMemory, HostArray } from '../device-memory.js';
import {
  deviceAddN,
  deviceBinary,
  DeviceBinaryOp,
  deviceCast,
  deviceFill,
  deviceOneHot,
  deviceUnary,
  DeviceUnaryOp,
  type DeviceDType,
} from '../device-ops-elementwise.js';
import { randomValues } from './buffers.js';
import { CaseBuffers, withCaseBuffers } from './case-buffers.js';
import type { TwinCase } from './types.js';

const FAMILY = 'elementwise';
/** float32 + − × ÷ √, comparisons, conversions and data movement: bit for bit */
const EXACT = 0;
/** exp, log, pow, 1/√ in double rounded to float32 on both sides, by two math libraries: one float32 ulp */
const ONE_ULP = 2 ** -22;

type Shape = number[];
const sizeOf = (shape: Shape) => shape.reduce((a, b) => a * b, 1);
const shapeText = (shape: Shape) => `[${shape.join(',')}]`;

/** The numpy broadcast of two shapes (they must be compatible). */
export function broadcastShape(a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const da = a[i - (rank - a.length)] ?? 1;
    const db = b[i - (rank - b.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes ${shapeText(a)} and ${shapeText(b)} do not broadcast`);
    return da === 1 ? db : da;
  });
}

/** Deterministic float32 values in [-scale, scale) on a grid of `step` (repeats and exact zeros among them). */
function gridValues(n: number, seed: number, scale: number, step: number): Float32Array {
  return randomValues(n, seed, scale).map((v) => Math.round(v / step) * step);
}

/** Deterministic integers in [lo, hi]. */
export function intValues(n: number, seed: number, lo: number, hi: number): Int32Array {
  const unit = randomValues(n, seed, 1);
  return Int32Array.from(unit, (v) => Math.min(hi, lo + Math.floor(((v + 1) / 2) * (hi - lo + 1))));
}

// ---- unary ----

export interface UnarySpec {
  op: DeviceUnaryOp;
  size: number;
  alpha?: number;
  beta?: number;
  seed: number;
}

/** x for `spec`: inside the op's domain (positive for Log, Sqrt, Rsqrt), with zeros of both signs elsewhere. */
export function unaryInput(spec: UnarySpec): Float32Array {
  const { op, size, seed } = spec;
  if (op === DeviceUnaryOp.Log || op === DeviceUnaryOp.Sqrt || op === DeviceUnaryOp.Rsqrt) {
    return randomValues(size, seed, 4).map((v) => Math.abs(v) + 1e-3);
  }
  const x = randomValues(size, seed, op === DeviceUnaryOp.Exp ? 10 : 3);
  for (let i = 3; i < size; i += 7) x[i] = i % 2 === 0 ? 0 : -0;
  return x;
}

const TRANSCENDENTAL = new Set([DeviceUnaryOp.Exp, DeviceUnaryOp.Log, DeviceUnaryOp.Rsqrt, DeviceUnaryOp.Sigmoid]);

export function unaryCase(spec: UnarySpec): TwinCase {
  const params = spec.alpha === undefined ? '' : ` (${spec.alpha}, ${spec.beta ?? 0})`;
  return {
    family: FAMILY,
    name: `${DeviceUnaryOp[spec.op]}${params} [${spec.size}]`,
    tolerance: TRANSCENDENTAL.has(spec.op) ? ONE_ULP : EXACT,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const x = b.upload(unaryInput(spec));
        const out = b.allocate(spec.size);
        deviceUnary(device, spec.op, x, out, spec.size, spec.alpha ?? 0, spec.beta ?? 0);
        return [b.read(out, new Float32Array(spec.size))];
      }),
  };
}

// ---- binary ----

export interface BinarySpec {
  op: DeviceBinaryOp;
  dtype: 'float32' | 'int32';
  aShape: Shape;
  bShape: Shape;
  seed: number;
}

/** a and b for `spec`: values on a coarse grid (so Equal finds equal pairs), b nonzero for float32 Div,
 *  a positive for float32 Pow, int32 products large enough to wrap, int32 Div by zero included. */
export function binaryInputs(spec: BinarySpec): { a: Float32Array | Int32Array; b: Float32Array | Int32Array } {
  const { op, aShape, bShape, seed } = spec;
  const na = sizeOf(aShape);
  const nb = sizeOf(bShape);
  if (spec.dtype === 'int32') {
    if (op === DeviceBinaryOp.Mul) return { a: intValues(na, seed, -(2 ** 20), 2 ** 20), b: intValues(nb, seed + 1, -(2 ** 15), 2 ** 15) };
    if (op === DeviceBinaryOp.Pow) return { a: intValues(na, seed, -5, 5), b: intValues(nb, seed + 1, -2, 8) };
    if (op === DeviceBinaryOp.Add || op === DeviceBinaryOp.Sub) {
      // sums past 2^31 wrap
      return { a: intValues(na, seed, -(2 ** 31), 2 ** 31 - 1), b: intValues(nb, seed + 1, -(2 ** 31), 2 ** 31 - 1) };
    }
    return { a: intValues(na, seed, -20, 20), b: intValues(nb, seed + 1, -6, 6) };
  }
  if (op === DeviceBinaryOp.Pow) return { a: gridValues(na, seed, 4, 1 / 8).map((v) => Math.abs(v) + 0.25), b: gridValues(nb, seed + 1, 3, 1 / 4) };
  const a = gridValues(na, seed, 4, 1 / 4);
  const b = gridValues(nb, seed + 1, 4, 1 / 4);
  if (op === DeviceBinaryOp.Div) b.forEach((v, i) => (b[i] = v === 0 ? 0.5 : v));
  return { a, b };
}

const isComparison = (op: DeviceBinaryOp) => op === DeviceBinaryOp.Equal || op === DeviceBinaryOp.Less;

/** Runs a binary op on buffers of `b`, returning its output's values. */
function runBinary(device: DeviceMemory, b: CaseBuffers, spec: BinarySpec): HostArray {
  const { a: av, b: bv } = binaryInputs(spec);
  const outShape = broadcastShape(spec.aShape, spec.bShape);
  const n = sizeOf(outShape);
  const bool = isComparison(spec.op);
  const a = b.upload(av);
  const bb = b.upload(bv);
  const out = b.allocate(n, bool ? 1 : 4);
  deviceBinary(device, spec.op, spec.dtype, a, spec.aShape, bb, spec.bShape, out, outShape);
  return b.read(out, bool ? new Uint8Array(n) : spec.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n));
}

export function binaryCase(spec: BinarySpec): TwinCase {
  return {
    family: FAMILY,
    name: `${DeviceBinaryOp[spec.op]} ${spec.dtype} ${shapeText(spec.aShape)} ${shapeText(spec.bShape)}`,
    tolerance: spec.op === DeviceBinaryOp.Pow && spec.dtype === 'float32' ? ONE_ULP : EXACT,
    run: (device) => withCaseBuffers(device, (b) => [runBinary(device, b, spec)]),
  };
}

/** An op on an empty tensor (it must launch nothing and break nothing), then `after`, whose output is returned. */
function emptyThenCase(name: string, empty: BinarySpec, after: BinarySpec): TwinCase {
  return {
    family: FAMILY,
    name: `${name}, then ${DeviceBinaryOp[after.op]} ${shapeText(after.aShape)} ${shapeText(after.bShape)}`,
    tolerance: EXACT,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const emptyOut = runBinary(device, b, empty);
        if (emptyOut.length !== 0) throw new Error('the empty op has a non-empty output');
        const x = b.upload(new Float32Array(0));
        const out = b.allocate(0);
        deviceUnary(device, DeviceUnaryOp.Exp, x, out, 0);
        return [runBinary(device, b, after)];
      }),
  };
}

// ---- AddN, Fill, OneHot, Cast ----

export interface AddNSpec {
  dtype: 'float32' | 'int32';
  size: number;
  inputs: number;
  seed: number;
}

export function addNInputs(spec: AddNSpec): (Float32Array | Int32Array)[] {
  return Array.from({ length: spec.inputs }, (_, k) =>
    spec.dtype === 'int32' ? intValues(spec.size, spec.seed + k, -(2 ** 30), 2 ** 30) : randomValues(spec.size, spec.seed + k, 2),
  );
}

export function addNCase(spec: AddNSpec): TwinCase {
  return {
    family: FAMILY,
    name: `AddN ${spec.dtype} ${spec.inputs} × [${spec.size}]`,
    tolerance: EXACT,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const inputs = addNInputs(spec).map((values) => b.upload(values));
        const out = b.allocate(spec.size);
        deviceAddN(device, spec.dtype, inputs, out, spec.size);
        return [b.read(out, spec.dtype === 'int32' ? new Int32Array(spec.size) : new Float32Array(spec.size))];
      }),
  };
}

const arrayOf = (dtype: DeviceDType, n: number): HostArray =>
  dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
const bytesOf = (dtype: DeviceDType) => (dtype === 'bool' ? 1 : 4);

export function fillCase(dtype: DeviceDType, size: number, value: number): TwinCase {
  return {
    family: FAMILY,
    name: `Fill ${dtype} [${size}] with ${value}`,
    tolerance: EXACT,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const out = b.allocate(size, bytesOf(dtype));
        deviceFill(device, dtype, out, size, value);
        return [b.read(out, arrayOf(dtype, size))];
      }),
  };
}

export interface OneHotSpec {
  size: number;
  depth: number;
  onValue: number;
  offValue: number;
  dtype: 'float32' | 'int32';
  seed: number;
}

/** indices in [-1, depth]: the out-of-range ones give rows of offValue only */
export const oneHotIndices = (spec: OneHotSpec) => intValues(spec.size, spec.seed, -1, spec.depth);

export function oneHotCase(spec: OneHotSpec): TwinCase {
  const n = spec.size * spec.depth;
  return {
    family: FAMILY,
    name: `OneHot ${spec.dtype} [${spec.size}] depth ${spec.depth} (${spec.onValue}, ${spec.offValue})`,
    tolerance: EXACT,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const indices = b.upload(oneHotIndices(spec));
        const out = b.allocate(n);
        deviceOneHot(device, indices, spec.size, spec.depth, spec.onValue, spec.offValue, spec.dtype, out);
        return [b.read(out, spec.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n))];
      }),
  };
}

/** x of `from` for a Cast: fractions of both signs, zeros, float32 values past 2^31 (they wrap), int32
 *  values float32 cannot hold exactly, and bool bytes other than 0 and 1. */
export function castInput(from: DeviceDType, size: number, seed: number): HostArray {
  if (from === 'float32') {
    const x = randomValues(size, seed, 100);
    for (let i = 0; i < size; i += 5) x[i] = i % 10 === 0 ? 0 : x[i]! * 6e7;
    return x;
  }
  if (from === 'int32') {
    const x = intValues(size, seed, -(2 ** 31), 2 ** 31 - 1);
    for (let i = 1; i < size; i += 4) x[i] = (i % 3) - 1;
    return x;
  }
  return Uint8Array.from(intValues(size, seed, 0, 3));
}

export function castCase(from: DeviceDType, to: DeviceDType, size: number, seed: number): TwinCase {
  return {
    family: FAMILY,
    name: `Cast ${from} → ${to} [${size}]`,
    tolerance: EXACT,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const x = b.upload(castInput(from, size, seed));
        const out = b.allocate(size, bytesOf(to));
        deviceCast(device, from, x, to, out, size);
        return [b.read(out, arrayOf(to, size))];
      }),
  };
}

// ---- the table ----

const UNARY_OPS = [
  DeviceUnaryOp.Abs,
  DeviceUnaryOp.Exp,
  DeviceUnaryOp.Floor,
  DeviceUnaryOp.Log,
  DeviceUnaryOp.Neg,
  DeviceUnaryOp.Relu,
  DeviceUnaryOp.Rsqrt,
  DeviceUnaryOp.Sigmoid,
  DeviceUnaryOp.Sqrt,
  DeviceUnaryOp.Square,
];
const BINARY_OPS = [
  DeviceBinaryOp.Add,
  DeviceBinaryOp.Sub,
  DeviceBinaryOp.Mul,
  DeviceBinaryOp.Div,
  DeviceBinaryOp.Maximum,
  DeviceBinaryOp.Pow,
  DeviceBinaryOp.Equal,
  DeviceBinaryOp.Less,
];
/** [a, b] shapes: equal, scalar either side, a channel vector against NDHWC activations, a column,
 *  both sides broadcasting, rank 0 against rank 0 */
const BROADCASTS: [Shape, Shape][] = [
  [[4, 5, 6], [4, 5, 6]],
  [[3, 70], []],
  [[], [3, 70]],
  [[2, 3, 4, 5, 16], [16]],
  [[32, 1], [32, 51]],
  [[4, 1, 6], [5, 1]],
  [[2, 1, 4, 1, 16], [1, 3, 1, 5, 1]],
  [[], []],
];
/** large enough for many blocks per SM; outputs this long stay quick to compare on the host */
const LARGE = 1 << 16;
const DTYPES: DeviceDType[] = ['float32', 'int32', 'bool'];

export const ELEMENTWISE_TWIN_CASES: readonly TwinCase[] = [
  ...UNARY_OPS.map((op, k) => unaryCase({ op, size: 1000, seed: 10 + k })),
  unaryCase({ op: DeviceUnaryOp.Step, size: 1000, alpha: 0, seed: 21 }),
  unaryCase({ op: DeviceUnaryOp.Step, size: 1000, alpha: 0.2, seed: 22 }),
  unaryCase({ op: DeviceUnaryOp.Clip, size: 1000, alpha: -0.5, beta: 0.75, seed: 23 }),
  unaryCase({ op: DeviceUnaryOp.Clip, size: 1000, alpha: 0, beta: 6, seed: 24 }),
  unaryCase({ op: DeviceUnaryOp.Relu, size: 1, seed: 25 }),
  unaryCase({ op: DeviceUnaryOp.Sigmoid, size: 1, seed: 26 }),
  unaryCase({ op: DeviceUnaryOp.Relu, size: LARGE + 3, seed: 27 }),
  unaryCase({ op: DeviceUnaryOp.Exp, size: LARGE, seed: 28 }),
  ...BINARY_OPS.flatMap((op, k) =>
    BROADCASTS.map(([aShape, bShape], j) => binaryCase({ op, dtype: 'float32', aShape, bShape, seed: 100 + 10 * k + j })),
  ),
  ...BINARY_OPS.flatMap((op, k) =>
    BROADCASTS.slice(0, 6).map(([aShape, bShape], j) => binaryCase({ op, dtype: 'int32', aShape, bShape, seed: 200 + 10 * k + j })),
  ),
  binaryCase({ op: DeviceBinaryOp.Add, dtype: 'float32', aShape: [LARGE], bShape: [LARGE], seed: 301 }),
  binaryCase({ op: DeviceBinaryOp.Mul, dtype: 'float32', aShape: [LARGE / 64, 64], bShape: [64], seed: 302 }),
  binaryCase({ op: DeviceBinaryOp.Sub, dtype: 'float32', aShape: [2, 8, 14, 14, 64], bShape: [2, 1, 1, 1, 64], seed: 303 }),
  binaryCase({ op: DeviceBinaryOp.Less, dtype: 'float32', aShape: [256, 1], bShape: [1, 256], seed: 304 }),
  emptyThenCase('Add [0,3] [3]', { op: DeviceBinaryOp.Add, dtype: 'float32', aShape: [0, 3], bShape: [3], seed: 305 }, {
    op: DeviceBinaryOp.Add,
    dtype: 'float32',
    aShape: [2, 3],
    bShape: [3],
    seed: 306,
  }),
  addNCase({ dtype: 'float32', size: 1000, inputs: 1, seed: 401 }),
  addNCase({ dtype: 'float32', size: 1000, inputs: 3, seed: 402 }),
  addNCase({ dtype: 'float32', size: 4097, inputs: 11, seed: 403 }),
  addNCase({ dtype: 'int32', size: 1000, inputs: 9, seed: 404 }),
  addNCase({ dtype: 'float32', size: LARGE, inputs: 2, seed: 405 }),
  fillCase('float32', 1000, 0.1),
  fillCase('float32', 1, -3.5),
  fillCase('int32', 1000, -7.9),
  fillCase('int32', 1000, 2 ** 32 + 5),
  fillCase('bool', 1001, 1),
  fillCase('bool', 1001, 257),
  fillCase('float32', LARGE, 1),
  oneHotCase({ size: 32, depth: 51, onValue: 1, offValue: 0, dtype: 'float32', seed: 501 }),
  oneHotCase({ size: 1000, depth: 7, onValue: 5.7, offValue: -1.2, dtype: 'int32', seed: 502 }),
  oneHotCase({ size: 1, depth: 1, onValue: 1, offValue: 0, dtype: 'float32', seed: 503 }),
  ...DTYPES.flatMap((from, k) => DTYPES.map((to, j) => castCase(from, to, 1000, 600 + 3 * k + j))),
];
