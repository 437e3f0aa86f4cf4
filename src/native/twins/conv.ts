// Twin cases of the convolution device ops: the model's R(2+1)D convolutions (the spatial 1×k×k and
// temporal k×1×1 convs as the model runs them, 2-D over frames or over pixels; the stem; strides 2),
// true 3-D convs, odd sizes with dilations and asymmetric or negative pads, each in all three
// directions; fp32 with TF32 off and bf16, through cuDNN (where loaded) and through our kernels.
import type { DeviceMemory, HostArray } from '../device-memory.js';
import { deviceConv, deviceConvBackpropFilter, deviceConvBackpropInput, type DeviceMathMode } from '../device-ops-conv-matmul.js';
import type { ConvGeometry } from '../kernels.js';
import { allocate, download, randomValues, upload } from './buffers.js';
import type { TwinCase } from './types.js';

export interface ConvSpec {
  /** what the shape is in the model, e.g. 'stem, spatial 1×7×7' */
  label: string;
  /** x (n, spatial..., cin) and filter (spatial..., cin, cout) */
  x: number[];
  w: number[];
  geometry: ConvGeometry;
}

export type ConvDirection = 'forward' | 'backward-data' | 'backward-filter';
export const CONV_DIRECTIONS: readonly ConvDirection[] = ['forward', 'backward-data', 'backward-filter'];

/** fp32 cases: float32 rounding over long sums; bf16: one bf16 step (2^-7) of the largest output. */
export const FP32_TOLERANCE = 1e-4;
export const BF16_TOLERANCE = 1e-2;

export const FP32_NO_TF32: DeviceMathMode = Object.freeze({ precision: 'fp32', tf32: false });
export const BF16: DeviceMathMode = Object.freeze({ precision: 'bf16', tf32: false });

const same = (pad: number[]): Pick<ConvGeometry, 'padBefore' | 'padAfter'> => ({ padBefore: pad, padAfter: pad });

export const CONV_SPECS: readonly ConvSpec[] = [
  { label: 'stem, spatial 1×7×7 stride 2 (2-D over frames)', x: [4, 28, 28, 3], w: [7, 7, 3, 16], geometry: { strides: [2, 2], dilations: [1, 1], ...same([3, 3]) } },
  { label: 'stem, temporal 3×1×1 (2-D over pixels)', x: [2, 8, 49, 16], w: [3, 1, 16, 8], geometry: { strides: [1, 1], dilations: [1, 1], ...same([1, 0]) } },
  { label: 'block, spatial 1×3×3', x: [4, 14, 14, 16], w: [3, 3, 16, 24], geometry: { strides: [1, 1], dilations: [1, 1], ...same([1, 1]) } },
  { label: 'downsampling, spatial 1×3×3 stride 2', x: [4, 14, 14, 16], w: [3, 3, 16, 24], geometry: { strides: [2, 2], dilations: [1, 1], ...same([1, 1]) } },
  { label: 'downsampling, temporal 3×1×1 stride 2', x: [2, 8, 49, 24], w: [3, 1, 24, 16], geometry: { strides: [2, 1], dilations: [1, 1], ...same([1, 0]) } },
  { label: 'shortcut, 3-D 1×1×1 stride 2', x: [2, 4, 8, 8, 8], w: [1, 1, 1, 8, 16], geometry: { strides: [2, 2, 2], dilations: [1, 1, 1], ...same([0, 0, 0]) } },
  { label: '3-D 3×3×3', x: [1, 4, 6, 6, 4], w: [3, 3, 3, 4, 5], geometry: { strides: [1, 1, 1], dilations: [1, 1, 1], ...same([1, 1, 1]) } },
  {
    label: "3-D 'same' with the stride above the kernel (negative pads)",
    x: [1, 6, 6, 6, 2],
    w: [1, 1, 1, 2, 3],
    geometry: { strides: [2, 2, 2], dilations: [1, 1, 1], padBefore: [-1, -1, -1], padAfter: [0, 0, 0] },
  },
  { label: 'odd sizes, dilation, asymmetric pads', x: [3, 7, 9, 5], w: [2, 3, 5, 3], geometry: { strides: [2, 1], dilations: [1, 2], padBefore: [0, 1], padAfter: [1, 2] } },
  { label: '1×1 on one pixel', x: [1, 1, 1, 1], w: [1, 1, 1, 1], geometry: { strides: [1, 1], dilations: [1, 1], ...same([0, 0]) } },
];

/** y's shape: floor((in + pads − span) / stride) + 1 per spatial dim. */
export function convOutputShape(spec: ConvSpec): number[] {
  const { x, w, geometry: g } = spec;
  const spatial = x.length - 2;
  const y = [x[0]!];
  for (let i = 0; i < spatial; i++) {
    const span = (w[i]! - 1) * g.dilations[i]! + 1;
    y.push(Math.floor((x[i + 1]! + g.padBefore[i]! + g.padAfter[i]! - span) / g.strides[i]!) + 1);
  }
  y.push(w[w.length - 1]!);
  return y;
}

const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

export interface ConvOperands {
  /** the op's two inputs and the output's shape: (x, w) → y, (dy, w) → dx, (x, dy) → dw */
  in0: Float32Array;
  in0Shape: number[];
  in1: Float32Array;
  in1Shape: number[];
  outShape: number[];
}

/** The deterministic inputs of `direction` on `spec`. */
export function convOperands(spec: ConvSpec, direction: ConvDirection, seed = 1): ConvOperands {
  const y = convOutputShape(spec);
  const shapes: Record<ConvDirection, [number[], number[], number[]]> = {
    forward: [spec.x, spec.w, y],
    'backward-data': [y, spec.w, spec.x],
    'backward-filter': [spec.x, y, spec.w],
  };
  const [in0Shape, in1Shape, outShape] = shapes[direction];
  return { in0: randomValues(size(in0Shape), seed), in0Shape, in1: randomValues(size(in1Shape), seed + 1), in1Shape, outShape };
}

/** Runs `body` with MNF_CUDA_KERNELS=own when `own` (the built-in kernels even where cuDNN / cuBLAS are loaded). */
export function withOwnKernels<T>(own: boolean, body: () => T): T {
  if (!own) return body();
  const before = process.env.MNF_CUDA_KERNELS;
  process.env.MNF_CUDA_KERNELS = 'own';
  try {
    return body();
  } finally {
    if (before === undefined) delete process.env.MNF_CUDA_KERNELS;
    else process.env.MNF_CUDA_KERNELS = before;
  }
}

/** The op's output on `device` for these operands. */
export function runConv(device: DeviceMemory, spec: ConvSpec, direction: ConvDirection, o: ConvOperands, math: DeviceMathMode): Float32Array {
  const in0 = upload(device, o.in0);
  const in1 = upload(device, o.in1);
  const out = allocate(device, size(o.outShape));
  try {
    if (direction === 'forward') deviceConv(device, in0, o.in0Shape, in1, o.in1Shape, out, o.outShape, spec.geometry, math);
    else if (direction === 'backward-data') deviceConvBackpropInput(device, in0, o.in0Shape, in1, o.in1Shape, out, o.outShape, spec.geometry, math);
    else deviceConvBackpropFilter(device, in0, o.in0Shape, in1, o.in1Shape, out, o.outShape, spec.geometry, math);
    return download(device, out, new Float32Array(size(o.outShape)));
  } finally {
    for (const id of [in0, in1, out]) device.free(id);
  }
}

const geometryText = (g: ConvGeometry): string => `stride [${g.strides}] dilation [${g.dilations}] pad [${g.padBefore}]/[${g.padAfter}]`;

function convCase(spec: ConvSpec, direction: ConvDirection, math: DeviceMathMode, ownKernels: boolean): TwinCase {
  const path = ownKernels ? 'our kernels' : 'cuDNN where loaded';
  return {
    family: 'conv',
    name: `${direction} ${spec.label}: x [${spec.x}] filter [${spec.w}] ${geometryText(spec.geometry)}, ${math.precision}, ${path}`,
    tolerance: math.precision === 'bf16' ? BF16_TOLERANCE : FP32_TOLERANCE,
    run: (device): HostArray[] => [withOwnKernels(ownKernels, () => runConv(device, spec, direction, convOperands(spec, direction), math))],
  };
}

export const convTwinCases: readonly TwinCase[] = CONV_SPECS.flatMap((spec) =>
  CONV_DIRECTIONS.flatMap((direction) => [FP32_NO_TF32, BF16].flatMap((math) => [false, true].map((own) => convCase(spec, direction, math, own)))),
);
