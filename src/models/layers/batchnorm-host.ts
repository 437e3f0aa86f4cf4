// Training-mode BatchNorm (+ optional ReLU) as two kernels for the host backends (cpu, native:
// tensors are JS typed arrays), each about two passes over the (rows, C) activations:
//   MnfBatchNormTrain      x, γ, β → y = [ReLU](x·scale + shift), batch mean, biased variance, 1/√(var+eps)
//   MnfBatchNormTrainGrad  dy, x, y, γ, mean, invStd → dx, dγ, dβ
// The composed tfjs ops in batchnorm.ts do the same on other backends (and are tested equal).
// With ReLU the backward makes one more pass (the mask).
// Statistics are accumulated in float64 (variance as E[x²] − mean²).
import type { KernelBackend, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../../tf.js';

export const BN_TRAIN_KERNEL = 'MnfBatchNormTrain';
export const BN_TRAIN_GRAD_KERNEL = 'MnfBatchNormTrainGrad';
const HOST_BACKENDS = ['cpu', 'native'];

interface BnAttrs extends NamedAttrMap {
  eps: number;
  relu: boolean;
}

type KernelArgs = { inputs: unknown; backend: unknown; attrs?: unknown };

function reader(host: KernelBackend) {
  return (t: TensorInfo): Float32Array => {
    const values = host.readSync(t.dataId);
    return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  };
}

function writer(host: KernelBackend) {
  return (values: Float32Array, shape: number[]): TensorInfo => ({ dataId: host.write(values, shape, 'float32'), shape, dtype: 'float32' });
}

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

function forwardKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, gamma, beta } = inputs as Record<'x' | 'gamma' | 'beta', TensorInfo>;
  const { eps, relu } = attrs as BnAttrs;
  const host = backend as KernelBackend;
  const read = reader(host);
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
  (relu ? affineRelu : affine)(xv, rows, c, scale, shift, y);
  const out = writer(host);
  return [out(y, [rows, c]), out(mean, [c]), out(variance, [c]), out(invStd, [c])];
}

function backwardKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { dy, x, y, gamma, mean, invStd } = inputs as Record<'dy' | 'x' | 'y' | 'gamma' | 'mean' | 'invStd', TensorInfo>;
  const { relu } = attrs as BnAttrs;
  const host = backend as KernelBackend;
  const read = reader(host);
  const [rows, c] = x.shape as [number, number];
  const [dyv, xv, yv, g, mu, inv] = [read(dy), read(x), read(y), read(gamma), read(mean), read(invStd)];
  const sumDy = new Float64Array(c);
  const sumDyX = new Float64Array(c);
  const dx = new Float32Array(rows * c);
  // with relu, dx first holds the masked dy, then the result
  const dyEff = relu ? dx : dyv;
  if (relu) maskByRelu(dyv, yv, dx);
  gradMoments(dyEff, xv, rows, c, sumDy, sumDyX);
  const [dGamma, dBeta] = [new Float32Array(c), new Float32Array(c)];
  const scale = new Float64Array(c);
  const k = new Float64Array(c);
  const c0 = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const dyXc = sumDyX[j]! - mu[j]! * sumDy[j]!; // Σ dy·(x − mean)
    dBeta[j] = sumDy[j]!;
    dGamma[j] = dyXc * inv[j]!;
    scale[j] = g[j]! * inv[j]!;
    k[j] = (-scale[j]! * inv[j]! * inv[j]! * dyXc) / rows;
    c0[j] = (-scale[j]! * sumDy[j]!) / rows - mu[j]! * k[j]!;
  }
  gradInput(dyEff, xv, rows, c, scale, k, c0, dx);
  const out = writer(host);
  return [out(dx, [rows, c]), out(dGamma, [c]), out(dBeta, [c])];
}

let gradientRegistered = false;

/** True when the current backend keeps tensors in host memory; registers the kernels for it. */
export function hostBatchNormAvailable(): boolean {
  const backendName = tf.getBackend();
  if (!HOST_BACKENDS.includes(backendName)) return false;
  for (const [kernelName, kernelFunc] of [[BN_TRAIN_KERNEL, forwardKernel], [BN_TRAIN_GRAD_KERNEL, backwardKernel]] as const) {
    if (!tf.getKernel(kernelName, backendName)) {
      tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as KernelConfig['kernelFunc'] });
    }
  }
  if (!gradientRegistered) {
    tf.registerGradient({
      kernelName: BN_TRAIN_KERNEL,
      inputsToSave: ['x', 'gamma'],
      outputsToSave: [true, true, false, true],
      gradFunc: (dys, saved, attrs) => {
        const dy = Array.isArray(dys) ? dys[0]! : dys;
        const [x, gamma, y, mean, invStd] = saved as tf.Tensor[];
        const [dx, dGamma, dBeta] = tf.engine().runKernel(BN_TRAIN_GRAD_KERNEL, { dy, x, y, gamma, mean, invStd } as unknown as tf.NamedTensorMap, attrs as NamedAttrMap) as tf.Tensor[];
        return { x: () => dx!, gamma: () => dGamma!, beta: () => dBeta! };
      },
    });
    gradientRegistered = true;
  }
  return true;
}

/** y (rows, C), batch mean (C), biased batch variance (C) */
export function batchNormTrainHost(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number, relu: boolean): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
  const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN_KERNEL, { x, gamma, beta } as unknown as tf.NamedTensorMap, { eps, relu }) as tf.Tensor[];
  return [y as tf.Tensor2D, mean as tf.Tensor1D, variance as tf.Tensor1D];
}
