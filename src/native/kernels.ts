// Typed wrappers over the addon's kernels (native/kernels/). Arrays are float32, channels-last
// (NHWC / NDHWC activations, HWIO / DHWIO filters, as tfjs stores them); results are written
// into the `out` array the caller allocates.
import { loadAddon } from './addon.js';

/** Per spatial dimension (2 for conv2d, 3 for conv3d). */
export interface ConvGeometry {
  strides: number[];
  /** 1 = dense */
  dilations: number[];
  padBefore: number[];
  padAfter: number[];
}

export enum BinaryOp {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
  SquaredDifference = 4,
}

/** How the two operands line up; the output always has the larger size. */
export enum Broadcast {
  Same = 0,
  ScalarB = 1,
  ScalarA = 2,
  /** b is a vector of length rowLength repeated along a's last axis */
  RowB = 3,
  RowA = 4,
}

export enum UnaryOp {
  Relu = 0,
  /** x > 0 ? 1 : alpha (NaN stays NaN) */
  Step = 1,
  Sigmoid = 2,
  Neg = 3,
  Square = 4,
}

export enum ReduceOp {
  Sum = 0,
  Mean = 1,
}

export enum MatMulActivation {
  Linear = 0,
  Relu = 1,
  Relu6 = 2,
  Elu = 3,
  Sigmoid = 4,
  LeakyRelu = 5,
}

type Shape = number[];

const pads = (g: ConvGeometry): [number[], number[], number[], number[]] => [g.strides, g.dilations, g.padBefore, g.padAfter];

/** y = conv(x, filter); x [N, ...spatial, Cin], filter [...k, Cin, Cout], y [N, ...spatial', Cout]. */
export function conv(x: Float32Array, xShape: Shape, filter: Float32Array, filterShape: Shape, y: Float32Array, yShape: Shape, g: ConvGeometry): void {
  loadAddon().conv(x, xShape, filter, filterShape, y, yShape, ...pads(g));
}

/** dx = ∂(conv)/∂x applied to dy. */
export function convBackpropInput(dy: Float32Array, dyShape: Shape, filter: Float32Array, filterShape: Shape, dx: Float32Array, dxShape: Shape, g: ConvGeometry): void {
  loadAddon().convBackpropInput(dy, dyShape, filter, filterShape, dx, dxShape, ...pads(g));
}

/** dFilter = ∂(conv)/∂filter applied to dy. */
export function convBackpropFilter(x: Float32Array, xShape: Shape, dy: Float32Array, dyShape: Shape, dFilter: Float32Array, filterShape: Shape, g: ConvGeometry): void {
  loadAddon().convBackpropFilter(x, xShape, dy, dyShape, dFilter, filterShape, ...pads(g));
}

export interface MatMulOptions {
  transposeA: boolean;
  transposeB: boolean;
  /** length n, added to every row */
  bias?: Float32Array;
  activation?: MatMulActivation;
  leakyAlpha?: number;
}

/** out [batch, m, n] = act(op(a) · op(b) + bias); a [batchA, ·, ·], b [batchB, ·, ·], a batch of 1 broadcasts. */
export function matMul(a: Float32Array, aShape: Shape, b: Float32Array, bShape: Shape, out: Float32Array, o: MatMulOptions): void {
  loadAddon().matMul(a, aShape, b, bShape, out, o.transposeA, o.transposeB, o.bias ?? null, o.activation ?? MatMulActivation.Linear, o.leakyAlpha ?? 0);
}

export function binary(op: BinaryOp, broadcast: Broadcast, a: Float32Array, b: Float32Array, out: Float32Array, rowLength = 1): void {
  loadAddon().binary(op, broadcast, a, b, out, rowLength);
}

export function unary(op: UnaryOp, x: Float32Array, out: Float32Array, alpha = 0): void {
  loadAddon().unary(op, x, out, alpha);
}

/** x viewed as [outer, length, inner] reduced over the middle axis into out [outer, inner]. */
export function reduce(op: ReduceOp, x: Float32Array, out: Float32Array, outer: number, length: number, inner: number): void {
  loadAddon().reduce(op, x, out, outer, length, inner);
}

/** One Adam step of a parameter (native/kernels/adam.h) into pOut, mOut, vOut, which alias none of the inputs. */
export function adamUpdate(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  pOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  h: { stepSize: number; beta1: number; beta2: number; eps: number; weightDecay: number; bc2Sqrt: number },
): void {
  loadAddon().adamUpdate(p, g, m, v, pOut, mOut, vOut, h);
}
