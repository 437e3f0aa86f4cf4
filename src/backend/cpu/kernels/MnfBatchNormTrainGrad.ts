// MnfBatchNormTrainGrad for tfjs's cpu backend in JS, with g = dy (masked by y > 0 with ReLU):
//   dβ = Σg, dγ = Σg·(x − mean)·invStd, dResidual = g,
//   dx = g·scale + x·k + c0, k = −scale·invStd²·Σg·(x − mean)/rows, c0 = −scale·Σg/rows − mean·k.
// Σg·(x − mean) is taken as Σg·x − mean·Σg (one pass); sums in float64.
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BatchNormTrainGrad, type BatchNormTrainAttrs, type BatchNormTrainGradInputs } from '../../kernel-names.js';
import { readFloat32, writeFloat32, type HostKernelArgs } from '../../kernels/host-tensors.js';

/** Σdy and Σdy·x per channel over (rows, C) */
function gradMoments(dy: Float32Array, x: Float32Array, rows: number, c: number, sumDy: Float64Array, sumDyX: Float64Array): void {
  for (let r = 0, i = 0; r < rows; r++) {
    for (let j = 0; j < c; j++, i++) {
      const d = dy[i]!;
      sumDy[j] += d;
      sumDyX[j] += d * x[i]!;
    }
  }
}

/** masked = dy where y > 0, else 0, through the bits: (v | −v) >> 31 is −1 for a positive float, 0 for +0 */
function maskByRelu(dy: Float32Array, y: Float32Array, masked: Float32Array): void {
  const yBits = new Int32Array(y.buffer, y.byteOffset, y.length);
  const dyBits = new Int32Array(dy.buffer, dy.byteOffset, dy.length);
  const maskedBits = new Int32Array(masked.buffer, masked.byteOffset, masked.length);
  for (let i = 0; i < yBits.length; i++) {
    const v = yBits[i]!;
    maskedBits[i] = dyBits[i]! & ((v | -v) >> 31);
  }
}

/** dx = dy·scale + x·k + c0 (dx may be dy's array) */
function gradInput(dy: Float32Array, x: Float32Array, rows: number, c: number, scale: Float64Array, k: Float64Array, c0: Float64Array, dx: Float32Array): void {
  for (let r = 0, i = 0; r < rows; r++) {
    for (let j = 0; j < c; j++, i++) dx[i] = dy[i]! * scale[j]! + x[i]! * k[j]! + c0[j]!;
  }
}

function kernelFunc({ inputs, backend, attrs }: HostKernelArgs): TensorInfo[] {
  const { dy, x, y, gamma, mean, invStd } = inputs as BatchNormTrainGradInputs;
  const { relu, residual } = attrs as BatchNormTrainAttrs;
  const host = backend as KernelBackend;
  const read = (t: TensorInfo) => readFloat32(host, t);
  const [rows, c] = x.shape as [number, number];
  const [dyv, xv, g, mu, inv] = [read(dy), read(x), read(gamma), read(mean), read(invStd)];
  const dx = new Float32Array(rows * c);
  // g: dy masked by the ReLU; it is also dResidual, else dx's array holds it until dx overwrites it
  let masked = dyv;
  if (relu) {
    masked = residual ? new Float32Array(rows * c) : dx;
    maskByRelu(dyv, read(y), masked);
  }
  const sumDy = new Float64Array(c);
  const sumDyX = new Float64Array(c);
  gradMoments(masked, xv, rows, c, sumDy, sumDyX);
  const [dGamma, dBeta] = [new Float32Array(c), new Float32Array(c)];
  const scale = new Float64Array(c);
  const k = new Float64Array(c);
  const c0 = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const dyXc = sumDyX[j]! - mu[j]! * sumDy[j]!; // Σ g·(x − mean)
    dBeta[j] = sumDy[j]!;
    dGamma[j] = dyXc * inv[j]!;
    scale[j] = g[j]! * inv[j]!;
    k[j] = (-scale[j]! * inv[j]! * inv[j]! * dyXc) / rows;
    c0[j] = (-scale[j]! * sumDy[j]!) / rows - mu[j]! * k[j]!;
  }
  gradInput(masked, xv, rows, c, scale, k, c0, dx);
  const outputs = [writeFloat32(host, dx, [rows, c]), writeFloat32(host, dGamma, [c]), writeFloat32(host, dBeta, [c])];
  if (residual) outputs.push(writeFloat32(host, masked === dyv ? dyv.slice() : masked, [rows, c]));
  return outputs;
}

export const batchNormTrainGradConfig = { kernelName: BatchNormTrainGrad, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
