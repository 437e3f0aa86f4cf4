// The addon's kernel functions check shapes and dtypes at the N-API boundary and say what was wrong.
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../src/native/addon.js';
import { BinaryOp, Broadcast, conv, convBackpropFilter, matMul, reduce, ReduceOp, unary, UnaryOp, binary } from '../src/native/kernels.js';

const f32 = (n: number) => new Float32Array(n);
const g2 = { strides: [1, 1], dilations: [1, 1], padBefore: [1, 1], padAfter: [1, 1] };

describe('native kernel argument checks', () => {
  it('conv: wrong dtype names the argument', () => {
    expect(() => conv(new Int32Array(16) as unknown as Float32Array, [1, 4, 4, 1], f32(9), [3, 3, 1, 1], f32(16), [1, 4, 4, 1], g2)).toThrow(
      /^x: expected a Float32Array$/,
    );
  });

  it('conv: array length that does not fit its shape', () => {
    expect(() => conv(f32(15), [1, 4, 4, 1], f32(9), [3, 3, 1, 1], f32(16), [1, 4, 4, 1], g2)).toThrow(
      /x: shape \[1, 4, 4, 1\] needs 16 elements, got 15/,
    );
  });

  it('conv: channel mismatch between x and filter', () => {
    expect(() => conv(f32(32), [1, 4, 4, 2], f32(9), [3, 3, 1, 1], f32(16), [1, 4, 4, 1], g2)).toThrow(
      /filter \[3, 3, 1, 1\] expects 1 input channels, x \[1, 4, 4, 2\] has 2/,
    );
  });

  it('conv: output size inconsistent with stride and pads', () => {
    expect(() => conv(f32(16), [1, 4, 4, 1], f32(9), [3, 3, 1, 1], f32(16), [1, 4, 4, 1], { ...g2, strides: [2, 2] })).toThrow(
      /spatial dim 0 of y \[1, 4, 4, 1\] should be 2/,
    );
  });

  it('conv: rank other than 4 or 5, and geometry of the wrong length', () => {
    expect(() => conv(f32(4), [4], f32(1), [1, 1, 1, 1], f32(4), [1, 2, 2, 1], g2)).toThrow(/xShape: expected rank 4 \(2-D conv\) or 5 \(3-D conv\)/);
    expect(() => conv(f32(16), [1, 4, 4, 1], f32(9), [3, 3, 1, 1], f32(16), [1, 4, 4, 1], { ...g2, strides: [1, 1, 1] })).toThrow(
      /strides: expected an array of 2 integers/,
    );
    expect(() => conv(f32(16), [1, 4, 4, 1], f32(9), [3, 3, 1, 1], f32(16), [1, 4, 4, 1], { ...g2, dilations: [0, 1] })).toThrow(/dilations: entries must be >= 1/);
  });

  it('convBackpropFilter: names its own arguments', () => {
    expect(() => convBackpropFilter(f32(16), [1, 4, 4, 1], f32(3), [1, 4, 4, 1], f32(9), [3, 3, 1, 1], g2)).toThrow(/^dy: shape \[1, 4, 4, 1\] needs 16 elements, got 3$/);
  });

  it('a missing argument is named', () => {
    const addon = loadAddon() as unknown as { conv: (...a: unknown[]) => void };
    expect(() => addon.conv(f32(16), [1, 4, 4, 1])).toThrow(/missing argument 2 \(filter\)/);
  });

  it('matMul: inner dimensions, batches, bias length, activation code', () => {
    const o = { transposeA: false, transposeB: false };
    expect(() => matMul(f32(6), [1, 2, 3], f32(8), [1, 4, 2], f32(4), o)).toThrow(/inner dimensions differ: a \[1, 2, 3\] gives 3, b \[1, 4, 2\] gives 4/);
    expect(() => matMul(f32(12), [2, 2, 3], f32(18), [3, 3, 2], f32(12), o)).toThrow(/batch sizes 2 and 3 must match or one must be 1/);
    expect(() => matMul(f32(6), [1, 2, 3], f32(6), [1, 3, 2], f32(4), { ...o, bias: f32(3) })).toThrow(/bias: shape \[2\] needs 2 elements, got 3/);
    expect(() => matMul(f32(6), [1, 2, 3], f32(6), [1, 3, 2], f32(3), o)).toThrow(/out: shape \[1, 2, 2\] needs 4 elements, got 3/);
    expect(() => matMul(f32(6), [1, 2, 3], f32(6), [1, 3, 2], f32(4), { ...o, activation: 9 })).toThrow(/activation: expected a code 0\.\.5, got 9/);
  });

  it('binary, unary, reduce: sizes and codes', () => {
    expect(() => binary(BinaryOp.Add, Broadcast.Same, f32(4), f32(3), f32(4))).toThrow(/binary: b has 3 elements, expected 4/);
    expect(() => binary(BinaryOp.Add, Broadcast.RowB, f32(12), f32(4), f32(12), 5)).toThrow(/rowLength: expected a divisor of 12, got 5/);
    expect(() => binary(7 as BinaryOp, Broadcast.Same, f32(4), f32(4), f32(4))).toThrow(/op: expected a binary op code 0\.\.4, got 7/);
    expect(() => unary(UnaryOp.Relu, f32(4), f32(5))).toThrow(/unary: out has 5 elements, x has 4/);
    expect(() => reduce(ReduceOp.Sum, f32(24), f32(4), 2, 3, 4)).toThrow(/out: shape \[2, 4\] needs 8 elements, got 4/);
  });
});
