// Typed wrappers over the addon's element-wise, reduction, softmax and layout device ops
// (native/device/register_elementwise.cc). Every tensor is a buffer id of `device`; outputs are
// buffers the caller allocated with the exact byte size of their shape and dtype.
import { loadAddon } from './addon.js';
import type { DeviceMemory } from './device-memory.js';

type Shape = number[];

/** The dtypes the ops take (native/device/ops_host.h's codes). */
export type DeviceDType = 'float32' | 'int32' | 'bool';
const DTYPE_CODES: Record<DeviceDType, number> = { float32: 0, int32: 1, bool: 2 };

export function isDeviceDType(dtype: string): dtype is DeviceDType {
  return dtype in DTYPE_CODES;
}

// native/device/ops_elementwise.h
export enum DeviceUnaryOp {
  Abs = 0,
  Exp,
  Floor,
  Log,
  Neg,
  Relu,
  Rsqrt,
  Sigmoid,
  Sqrt,
  Square,
  /** x > 0 ? 1 : alpha (NaN stays NaN) */
  Step,
  /** min(max(x, alpha), beta) */
  Clip,
}

export enum DeviceBinaryOp {
  Add = 0,
  Sub,
  Mul,
  Div,
  Maximum,
  Pow,
  /** bool output */
  Equal,
  /** bool output */
  Less,
}

// native/device/ops_reduce.h
export enum DeviceReduceOp {
  Sum = 0,
  Mean,
  Max,
  /** int32 output, one axis */
  ArgMax,
}

/** float32 out = op(x) over `size` elements. */
export function deviceUnary(device: DeviceMemory, op: DeviceUnaryOp, x: number, out: number, size: number, alpha = 0, beta = 0): void {
  loadAddon().deviceUnary(device.handle, op, x, out, size, alpha, beta);
}

/** out (outShape, the broadcast of a and b) = a op b; a, b of `dtype`; out of `dtype`, bool for Equal/Less. */
export function deviceBinary(device: DeviceMemory, op: DeviceBinaryOp, dtype: 'float32' | 'int32', a: number, aShape: Shape, b: number, bShape: Shape, out: number, outShape: Shape): void {
  loadAddon().deviceBinary(device.handle, op, DTYPE_CODES[dtype], a, aShape, b, bShape, out, outShape);
}

/** out = Σ inputs, element by element in input order. */
export function deviceAddN(device: DeviceMemory, dtype: 'float32' | 'int32', inputs: number[], out: number, size: number): void {
  loadAddon().deviceAddN(device.handle, DTYPE_CODES[dtype], out, size, ...inputs);
}

/** Every element of out = value. */
export function deviceFill(device: DeviceMemory, dtype: DeviceDType, out: number, size: number, value: number): void {
  loadAddon().deviceFill(device.handle, DTYPE_CODES[dtype], out, size, value);
}

/** out [size, depth] = onValue at each int32 index, offValue elsewhere. */
export function deviceOneHot(device: DeviceMemory, indices: number, size: number, depth: number, onValue: number, offValue: number, dtype: 'float32' | 'int32', out: number): void {
  loadAddon().deviceOneHot(device.handle, indices, size, depth, onValue, offValue, DTYPE_CODES[dtype], out);
}

/** out (of `to`) = x (of `from`) converted as tfjs-cpu's Cast does. */
export function deviceCast(device: DeviceMemory, from: DeviceDType, x: number, to: DeviceDType, out: number, size: number): void {
  loadAddon().deviceCast(device.handle, DTYPE_CODES[from], x, DTYPE_CODES[to], out, size);
}

/** out = op of x over `axes` (out: xShape without those axes). */
export function deviceReduce(device: DeviceMemory, op: DeviceReduceOp, dtype: 'float32' | 'int32', x: number, xShape: Shape, axes: number[], out: number): void {
  loadAddon().deviceReduce(device.handle, op, DTYPE_CODES[dtype], x, xShape, axes, out);
}

/** float32 softmax of x [rows, cols] along cols. */
export function deviceSoftmax(device: DeviceMemory, x: number, out: number, rows: number, cols: number): void {
  loadAddon().deviceSoftmax(device.handle, x, out, rows, cols);
}

/** out = x with axes permuted (out's axis i is x's axis perm[i]). */
export function deviceTranspose(device: DeviceMemory, dtype: DeviceDType, x: number, xShape: Shape, perm: number[], out: number): void {
  loadAddon().deviceTranspose(device.handle, DTYPE_CODES[dtype], x, xShape, perm, out);
}

/** One [rows, cols] block of a 2-D view: src [rows, src.rowLength] from column src.offset into dst [rows, dst.rowLength] at dst.offset. */
export function deviceCopyBlock(
  device: DeviceMemory,
  dtype: DeviceDType,
  src: { buffer: number; rowLength: number; offset: number },
  dst: { buffer: number; rowLength: number; offset: number },
  rows: number,
  cols: number,
): void {
  loadAddon().deviceCopyBlock(device.handle, DTYPE_CODES[dtype], src.buffer, src.rowLength, src.offset, dst.buffer, dst.rowLength, dst.offset, rows, cols);
}
