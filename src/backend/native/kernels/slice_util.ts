// A strided slice as block copies: the innermost dims that the slice keeps whole, plus the last
// dim it cuts, are one contiguous run in both x and the result, copied with TypedArray.set.
// (tfjs's cpu kernel copies element by element through TensorBuffer index conversions.)
import type { TypedArray } from '@tensorflow/tfjs-core';

/** The slice [begin, begin + size) of `values` (row-major, shape `shape`), as a fresh array. */
export function sliceByBlocks<T extends TypedArray>(values: T, shape: number[], begin: number[], size: number[]): T {
  const rank = shape.length;
  const total = size.reduce((a, b) => a * b, 1);
  const out = new (values.constructor as new (n: number) => T)(total);
  if (total === 0) return out;
  // cut: the innermost dim the slice does not keep whole; dims after it form the contiguous block
  let cut = rank - 1;
  while (cut > 0 && size[cut] === shape[cut] && begin[cut] === 0) cut--;
  const xStrides = new Array<number>(rank);
  xStrides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) xStrides[d] = xStrides[d + 1]! * shape[d + 1]!;
  const block = size[cut]! * xStrides[cut]!;
  let start = 0;
  for (let d = 0; d < rank; d++) start += begin[d]! * xStrides[d]!;
  // odometer over the dims before `cut`
  const index = new Array<number>(cut).fill(0);
  let offset = start;
  for (let o = 0; o < total; o += block) {
    out.set(values.subarray(offset, offset + block), o);
    let d = cut - 1;
    while (d >= 0) {
      index[d]!++;
      offset += xStrides[d]!;
      if (index[d]! < size[d]!) break;
      offset -= size[d]! * xStrides[d]!;
      index[d] = 0;
      d--;
    }
  }
  return out;
}
