// Training-mode BatchNorm (+ optional ReLU) as two kernels for the host backends (cpu, native:
// tensors are JS typed arrays), each two passes over the (rows, C) activations:
//   MnfBatchNormTrain      x, γ, β → y = [ReLU](x·scale + shift), batch mean, biased variance, 1/√(var+eps)
//   MnfBatchNormTrainGrad  dy, x, y, γ, mean, invStd → dx, dγ, dβ
// The composed tfjs ops in batchnorm.ts do the same on other backends (and are tested equal).
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

function forwardKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, gamma, beta } = inputs as Record<'x' | 'gamma' | 'beta', TensorInfo>;
  const { eps, relu } = attrs as BnAttrs;
  const host = backend as KernelBackend;
  const read = reader(host);
  const [rows, c] = x.shape as [number, number];
  const [xv, g, b] = [read(x), read(gamma), read(beta)];
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let j = 0; j < c; j++, i++) {
      const v = xv[i]!;
      sum[j] += v;
      sumSq[j] += v * v;
    }
  }
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
  for (let r = 0, i = 0; r < rows; r++) {
    for (let j = 0; j < c; j++, i++) {
      const t = xv[i]! * scale[j]! + shift[j]!;
      y[i] = relu && t < 0 ? 0 : t;
    }
  }
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
  for (let r = 0, i = 0; r < rows; r++) {
    for (let j = 0; j < c; j++, i++) {
      const d = relu && yv[i]! <= 0 ? 0 : dyv[i]!;
      sumDy[j] += d;
      sumDyX[j] += d * xv[i]!;
    }
  }
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
  const dx = new Float32Array(rows * c);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let j = 0; j < c; j++, i++) {
      const d = relu && yv[i]! <= 0 ? 0 : dyv[i]!;
      dx[i] = d * scale[j]! + xv[i]! * k[j]! + c0[j]!;
    }
  }
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
