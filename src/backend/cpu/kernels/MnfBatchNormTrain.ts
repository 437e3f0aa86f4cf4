// MnfBatchNormTrain for tfjs's cpu backend in JS, about two passes over the (rows, C) activations
// (tfjs's generic single-threaded ops take many more). Statistics are accumulated in float64
// (variance as E[x²] − mean²); y = x·scale + shift, scale = γ/√(var+eps), shift = β − mean·scale,
// then + residual and the ReLU.
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BatchNormTrain, type BatchNormTrainAttrs, type BatchNormTrainInputs } from '../../kernel-names.js';
import { readFloat32, writeFloat32, type HostKernelArgs } from '../../kernels/host-tensors.js';

// The loops live in small monomorphic functions (V8 optimises these best).

/** per-channel Σx and Σx² over (rows, C) */
function channelMoments(x: Float32Array, rows: number, c: number, sum: Float64Array, sumSq: Float64Array): void {
  for (let r = 0, i = 0; r < rows; r++) {
    for (let j = 0; j < c; j++, i++) {
      const v = x[i]!;
      sum[j] += v;
      sumSq[j] += v * v;
    }
  }
}

function affine(x: Float32Array, rows: number, c: number, scale: Float64Array, shift: Float64Array, y: Float32Array): void {
  for (let r = 0, i = 0; r < rows; r++) for (let j = 0; j < c; j++, i++) y[i] = x[i]! * scale[j]! + shift[j]!;
}

/** y = max(x·scale + shift, 0). The ReLU clears negative values through the sign bit: a branch on
 * the sign of zero-mean activations mispredicts half the time and costs ~3x more. */
function affineRelu(x: Float32Array, rows: number, c: number, scale: Float64Array, shift: Float64Array, y: Float32Array): void {
  const bits = new Int32Array(y.buffer, y.byteOffset, y.length);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let j = 0; j < c; j++, i++) {
      y[i] = x[i]! * scale[j]! + shift[j]!;
      const v = bits[i]!;
      bits[i] = v & ~(v >> 31);
    }
  }
}

/** y = float32(x·scale + shift) + residual, rounded as the composed float32 add rounds it */
function affineResidual(x: Float32Array, residual: Float32Array, rows: number, c: number, scale: Float64Array, shift: Float64Array, y: Float32Array): void {
  for (let r = 0, i = 0; r < rows; r++) for (let j = 0; j < c; j++, i++) y[i] = Math.fround(x[i]! * scale[j]! + shift[j]!) + residual[i]!;
}

function reluInPlace(y: Float32Array): void {
  const bits = new Int32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < bits.length; i++) {
    const v = bits[i]!;
    bits[i] = v & ~(v >> 31);
  }
}

function kernelFunc({ inputs, backend, attrs }: HostKernelArgs): TensorInfo[] {
  const { x, gamma, beta, residual } = inputs as BatchNormTrainInputs;
  const { eps, relu } = attrs as BatchNormTrainAttrs;
  const host = backend as KernelBackend;
  const read = (t: TensorInfo) => readFloat32(host, t);
  const [rows, c] = x.shape as [number, number];
  const [xv, g, b] = [read(x), read(gamma), read(beta)];
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  channelMoments(xv, rows, c, sum, sumSq);
  const [mean, variance, invStd] = [new Float32Array(c), new Float32Array(c), new Float32Array(c)];
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const m = sum[j]! / rows;
    const v = Math.max(sumSq[j]! / rows - m * m, 0);
    mean[j] = m;
    variance[j] = v;
    const inv = 1 / Math.sqrt(v + eps);
    invStd[j] = inv;
    scale[j] = g[j]! * inv;
    shift[j] = b[j]! - m * scale[j]!;
  }
  const y = new Float32Array(rows * c);
  if (residual) {
    affineResidual(xv, read(residual), rows, c, scale, shift, y);
    if (relu) reluInPlace(y);
  } else {
    (relu ? affineRelu : affine)(xv, rows, c, scale, shift, y);
  }
  return [writeFloat32(host, y, [rows, c]), writeFloat32(host, mean, [c]), writeFloat32(host, variance, [c]), writeFloat32(host, invStd, [c])];
}

export const batchNormTrainConfig = { kernelName: BatchNormTrain, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
