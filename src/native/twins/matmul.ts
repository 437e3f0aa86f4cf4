// Twin cases of the matrix-product device op: transposes, a batch of 1 broadcast on either side, the
// model's GEMMs (the MNF's linear layers with bias and activation, the attention products), bias with
// every fused activation, odd sizes; fp32 with TF32 off and bf16, through cuBLAS (where loaded) and
// through our tiled GEMM.
import type { DeviceMemory, HostArray } from '../device-memory.js';
import { deviceMatMul, type DeviceMathMode } from '../device-ops-conv-matmul.js';
import { MatMulActivation } from '../kernels.js';
import { allocate, download, randomValues, upload } from './buffers.js';
import { BF16, BF16_TOLERANCE, FP32_NO_TF32, FP32_TOLERANCE, withOwnKernels } from './conv.js';
import type { TwinCase } from './types.js';

export interface MatMulSpec {
  label: string;
  /** as stored: (batch, m, k) or, transposed, (batch, k, m); b (batch, k, n) or (batch, n, k) */
  a: [number, number, number];
  b: [number, number, number];
  transposeA: boolean;
  transposeB: boolean;
  bias: boolean;
  activation: MatMulActivation;
  leakyAlpha: number;
}

const plain = { transposeA: false, transposeB: false, bias: false, activation: MatMulActivation.Linear, leakyAlpha: 0 };

const ACTIVATIONS: [string, MatMulActivation][] = [
  ['linear', MatMulActivation.Linear],
  ['relu', MatMulActivation.Relu],
  ['relu6', MatMulActivation.Relu6],
  ['elu', MatMulActivation.Elu],
  ['sigmoid', MatMulActivation.Sigmoid],
  ['leakyrelu', MatMulActivation.LeakyRelu],
];

export const MATMUL_SPECS: readonly MatMulSpec[] = [
  { ...plain, label: 'plain', a: [1, 4, 16], b: [1, 16, 3] },
  { ...plain, label: 'b transposed', a: [1, 4, 16], b: [1, 5, 16], transposeB: true },
  { ...plain, label: 'a transposed', a: [1, 16, 4], b: [1, 16, 5], transposeA: true },
  { ...plain, label: 'both transposed, odd sizes', a: [3, 17, 33], b: [3, 65, 17], transposeA: true, transposeB: true },
  { ...plain, label: 'a batch of 1 broadcast', a: [1, 6, 8], b: [4, 8, 70] },
  { ...plain, label: 'b batch of 1 broadcast', a: [4, 70, 8], b: [1, 8, 6] },
  { ...plain, label: 'attention scores (batch·heads, 1 query, tokens)', a: [16, 1, 64], b: [16, 98, 64], transposeB: true },
  { ...plain, label: 'attention output', a: [16, 1, 98], b: [16, 98, 64] },
  { ...plain, label: 'MNF linear 512→512, bias, relu', a: [1, 32, 512], b: [1, 512, 512], bias: true, activation: MatMulActivation.Relu },
  { ...plain, label: 'weight gradient (aᵀ·dy)', a: [1, 32, 96], b: [1, 32, 80], transposeA: true },
  ...ACTIVATIONS.map(([name, activation]): MatMulSpec => ({ ...plain, label: `bias and ${name}`, a: [1, 6, 32], b: [1, 32, 8], bias: true, activation, leakyAlpha: 0.1 })),
  { ...plain, label: 'one element', a: [1, 1, 1], b: [1, 1, 1] },
];

export const matMulDims = (s: MatMulSpec): { batch: number; m: number; k: number; n: number } => ({
  batch: Math.max(s.a[0], s.b[0]),
  m: s.transposeA ? s.a[2] : s.a[1],
  k: s.transposeA ? s.a[1] : s.a[2],
  n: s.transposeB ? s.b[1] : s.b[2],
});

export interface MatMulOperands {
  a: Float32Array;
  b: Float32Array;
  bias?: Float32Array;
}

const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

export function matMulOperands(s: MatMulSpec, seed = 1): MatMulOperands {
  return { a: randomValues(size(s.a), seed), b: randomValues(size(s.b), seed + 1), bias: s.bias ? randomValues(matMulDims(s).n, seed + 2) : undefined };
}

/** The op's output (batch, m, n) on `device` for these operands. */
export function runMatMul(device: DeviceMemory, s: MatMulSpec, o: MatMulOperands, math: DeviceMathMode): Float32Array {
  const { batch, m, n } = matMulDims(s);
  const a = upload(device, o.a);
  const b = upload(device, o.b);
  const bias = o.bias ? upload(device, o.bias) : undefined;
  const out = allocate(device, batch * m * n);
  try {
    deviceMatMul(device, a, s.a, b, s.b, out, { transposeA: s.transposeA, transposeB: s.transposeB, bias, activation: s.activation, leakyAlpha: s.leakyAlpha }, math);
    return download(device, out, new Float32Array(batch * m * n));
  } finally {
    for (const id of [a, b, bias, out]) if (id !== undefined) device.free(id);
  }
}

function matMulCase(s: MatMulSpec, math: DeviceMathMode, ownKernels: boolean): TwinCase {
  const t = (on: boolean) => (on ? 'ᵀ' : '');
  return {
    family: 'matmul',
    name: `${s.label}: a [${s.a}]${t(s.transposeA)} · b [${s.b}]${t(s.transposeB)}, ${math.precision}, ${ownKernels ? 'our kernels' : 'cuBLAS where loaded'}`,
    tolerance: math.precision === 'bf16' ? BF16_TOLERANCE : FP32_TOLERANCE,
    run: (device): HostArray[] => [withOwnKernels(ownKernels, () => runMatMul(device, s, matMulOperands(s), math))],
  };
}

export const matMulTwinCases: readonly TwinCase[] = MATMUL_SPECS.flatMap((s) =>
  [FP32_NO_TF32, BF16].flatMap((math) => [false, true].map((own) => matMulCase(s, math, own))),
);
