// Twin cases of the layout device ops (native/device/cuda/layout.cu against native/device/ops_layout.cc):
// Transpose with the innermost dim kept or moved (partial tiles included), NDHWC ↔ NCDHW, size-1 dims,
// identity, rank 6, 1- and 4-byte elements, 1<<16 elements, an empty tensor; CopyBlock as Concat and
// SplitV use it, with row lengths and offsets that allow 16-, 4- and 1-byte units.
import type { HostArray } from '../device-memory.js';
import { deviceCopyBlock, deviceTranspose, type DeviceDType } from '../device-ops-elementwise.js';
import { randomValues } from './buffers.js';
import { withCaseBuffers } from './case-buffers.js';
import { intValues } from './elementwise.js';
import type { TwinCase } from './types.js';

const FAMILY = 'layout';
/** data movement: bit for bit */
const EXACT = 0;

type Shape = number[];
const sizeOf = (shape: Shape) => shape.reduce((a, b) => a * b, 1);

/** Deterministic elements of `dtype` (bool: any byte, since only bytes move). */
export function layoutValues(dtype: DeviceDType, n: number, seed: number): Float32Array | Int32Array | Uint8Array {
  if (dtype === 'float32') return randomValues(n, seed, 100);
  if (dtype === 'int32') return intValues(n, seed, -(2 ** 31), 2 ** 31 - 1);
  return Uint8Array.from(intValues(n, seed, 0, 255));
}

const arrayOf = (dtype: DeviceDType, n: number): HostArray =>
  dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
const bytesOf = (dtype: DeviceDType) => (dtype === 'bool' ? 1 : 4);

export interface TransposeSpec {
  dtype: DeviceDType;
  shape: Shape;
  perm: number[];
  seed: number;
}

export function transposeCase(spec: TransposeSpec): TwinCase {
  const n = sizeOf(spec.shape);
  return {
    family: FAMILY,
    name: `Transpose ${spec.dtype} [${spec.shape.join(',')}] by [${spec.perm.join(',')}]`,
    tolerance: EXACT,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const x = b.upload(layoutValues(spec.dtype, n, spec.seed));
        const out = b.allocate(n, bytesOf(spec.dtype));
        deviceTranspose(device, spec.dtype, x, spec.shape, spec.perm, out);
        return [b.read(out, arrayOf(spec.dtype, n))];
      }),
  };
}

export interface CopyBlockSpec {
  dtype: DeviceDType;
  rows: number;
  cols: number;
  src: { rowLength: number; offset: number };
  dst: { rowLength: number; offset: number };
  seed: number;
}

/** src and dst before the copy (dst prefilled: the copy must leave everything outside the block alone). */
export function copyBlockInputs(spec: CopyBlockSpec): { src: HostArray; dst: HostArray } {
  return {
    src: layoutValues(spec.dtype, spec.rows * spec.src.rowLength, spec.seed),
    dst: layoutValues(spec.dtype, spec.rows * spec.dst.rowLength, spec.seed + 1),
  };
}

export function copyBlockCase(spec: CopyBlockSpec): TwinCase {
  const n = spec.rows * spec.dst.rowLength;
  return {
    family: FAMILY,
    name: `CopyBlock ${spec.dtype} ${spec.rows}×${spec.cols} from [${spec.rows},${spec.src.rowLength}]+${spec.src.offset} into [${spec.rows},${spec.dst.rowLength}]+${spec.dst.offset}`,
    tolerance: EXACT,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const inputs = copyBlockInputs(spec);
        const src = b.upload(inputs.src);
        const dst = b.upload(inputs.dst);
        deviceCopyBlock(device, spec.dtype, { buffer: src, ...spec.src }, { buffer: dst, ...spec.dst }, spec.rows, spec.cols);
        return [b.read(dst, arrayOf(spec.dtype, n))];
      }),
  };
}

/** A transpose of an empty tensor (it must launch nothing and break nothing), then `after`'s output. */
function emptyThenCase(empty: TransposeSpec, after: TransposeSpec): TwinCase {
  const then = transposeCase(after);
  return {
    family: FAMILY,
    name: `Transpose [${empty.shape.join(',')}], then ${then.name}`,
    tolerance: EXACT,
    run: async (device) => {
      withCaseBuffers(device, (b) => {
        const x = b.upload(new Float32Array(0));
        const out = b.allocate(0);
        deviceTranspose(device, empty.dtype, x, empty.shape, empty.perm, out);
        return [];
      });
      return then.run(device);
    },
  };
}

const TRANSPOSES: [Shape, number[]][] = [
  [[2, 3], [1, 0]],
  [[65, 47], [1, 0]],
  [[2, 4, 6, 6, 8], [0, 4, 1, 2, 3]],
  [[2, 8, 4, 6, 6], [0, 2, 3, 4, 1]],
  [[2, 3, 4, 5], [0, 2, 1, 3]],
  [[2, 3, 4, 5], [3, 2, 1, 0]],
  [[2, 3, 2, 3, 2, 3], [5, 0, 4, 1, 3, 2]],
  [[1, 5, 1, 7], [3, 1, 2, 0]],
  [[3, 1], [1, 0]],
  [[4, 5, 6], [0, 1, 2]],
  [[7], [0]],
];

export const LAYOUT_TWIN_CASES: readonly TwinCase[] = [
  ...TRANSPOSES.map(([shape, perm], k) => transposeCase({ dtype: 'float32', shape, perm, seed: 10 + k })),
  transposeCase({ dtype: 'int32', shape: [33, 70], perm: [1, 0], seed: 30 }),
  transposeCase({ dtype: 'bool', shape: [33, 70], perm: [1, 0], seed: 31 }),
  transposeCase({ dtype: 'bool', shape: [2, 3, 4, 5], perm: [0, 2, 1, 3], seed: 32 }),
  transposeCase({ dtype: 'float32', shape: [256, 256], perm: [1, 0], seed: 33 }),
  transposeCase({ dtype: 'float32', shape: [2, 4, 14, 14, 32], perm: [0, 4, 1, 2, 3], seed: 34 }),
  emptyThenCase({ dtype: 'float32', shape: [0, 3], perm: [1, 0], seed: 35 }, { dtype: 'float32', shape: [2, 3], perm: [1, 0], seed: 36 }),
  // Concat along the last axis: 16-byte units
  copyBlockCase({ dtype: 'float32', rows: 100, cols: 8, src: { rowLength: 8, offset: 0 }, dst: { rowLength: 24, offset: 16 }, seed: 40 }),
  // odd lengths: 4-byte units
  copyBlockCase({ dtype: 'float32', rows: 37, cols: 5, src: { rowLength: 5, offset: 0 }, dst: { rowLength: 12, offset: 3 }, seed: 41 }),
  // SplitV: a block out of the middle of src
  copyBlockCase({ dtype: 'int32', rows: 10, cols: 3, src: { rowLength: 9, offset: 4 }, dst: { rowLength: 3, offset: 0 }, seed: 42 }),
  copyBlockCase({ dtype: 'bool', rows: 9, cols: 7, src: { rowLength: 7, offset: 0 }, dst: { rowLength: 15, offset: 5 }, seed: 43 }),
  copyBlockCase({ dtype: 'float32', rows: 1, cols: 1000, src: { rowLength: 1000, offset: 0 }, dst: { rowLength: 3000, offset: 1000 }, seed: 44 }),
  copyBlockCase({ dtype: 'float32', rows: 2 * 4 * 7 * 7, cols: 64, src: { rowLength: 64, offset: 0 }, dst: { rowLength: 128, offset: 64 }, seed: 45 }),
  copyBlockCase({ dtype: 'float32', rows: 1, cols: 1, src: { rowLength: 1, offset: 0 }, dst: { rowLength: 1, offset: 0 }, seed: 46 }),
];
