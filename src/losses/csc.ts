// CSC as a tfjs op: kernel 'MnfCscLoss' runs forward and backward in ONE addon call and returns
// [loss, dL/dv, dL/dz]; its gradient multiplies the saved gradients by dy (no second addon call).
// Registered for backends cpu, native and tensorflow; without the addon the composed ops are used.
import type { GradConfig, KernelBackend, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../tf.js';
import { cscLossGrad, cscProblem } from '../native/csc.js';
import { checkCscArgs, cscLossComposed, type CscOptions } from './csc-composed.js';

export type { CscOptions } from './csc-composed.js';

export const CSC_KERNEL = 'MnfCscLoss';
const FUSED_BACKENDS = ['cpu', 'native', 'tensorflow'] as const;

interface CscInputs {
  v: TensorInfo;
  z: TensorInfo;
  aSel: TensorInfo;
  labels: TensorInfo;
}

interface CscAttrs extends NamedAttrMap {
  theta: number;
  calibrated: boolean;
}

/** Reads host data through the backend's generic interface, so one function serves every host backend. */
function cscKernelFunc({ inputs, backend, attrs }: { inputs: unknown; backend: unknown; attrs?: unknown }): TensorInfo[] {
  const { v, z, aSel, labels } = inputs as CscInputs;
  const { theta, calibrated } = attrs as CscAttrs;
  const host = backend as KernelBackend;
  const [batch, dim] = v.shape as [number, number];
  // A float32 tensor made by a lossless cast can still hold the source's Int32Array/Uint8Array.
  const floats = (t: TensorInfo) => {
    const values = host.readSync(t.dataId);
    return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  };
  const labelValues = host.readSync(labels.dataId);
  const result = cscLossGrad({
    v: floats(v),
    z: floats(z),
    aSel: floats(aSel),
    labels: labelValues instanceof Int32Array ? labelValues : Int32Array.from(labelValues as ArrayLike<number>),
    batch,
    dim,
    theta,
    calibrated,
  });
  const out = (values: Float32Array, shape: number[]): TensorInfo => ({
    dataId: host.write(values, shape, 'float32'),
    shape,
    dtype: 'float32',
  });
  return [out(Float32Array.of(result.loss), []), out(result.dv, [batch, dim]), out(result.dz, [batch, dim])];
}

const cscGradConfig: GradConfig = {
  kernelName: CSC_KERNEL,
  outputsToSave: [false, true, true],
  gradFunc: (dy, saved) => {
    const dLoss = Array.isArray(dy) ? dy[0]! : dy;
    const [dv, dz] = saved as [tf.Tensor, tf.Tensor];
    // τ's cosine is detached, so ã receives no gradient.
    return { v: () => tf.mul(dLoss, dv), z: () => tf.mul(dLoss, dz), aSel: () => tf.zerosLike(dv) };
  },
};

let fusedReady: boolean | undefined;

/** Registers the kernel (once) when the addon loads; false when it cannot, and the composed ops are used. */
export function registerCscKernel(): boolean {
  if (fusedReady !== undefined) return fusedReady;
  fusedReady = cscProblem() === undefined;
  if (!fusedReady) return false;
  for (const backendName of FUSED_BACKENDS) {
    // 'native' copies every cpu kernel when it registers; only a native backend registered earlier needs its own.
    const needed = backendName !== 'native' || tf.findBackendFactory('native') != null;
    if (needed && !tf.getKernel(CSC_KERNEL, backendName)) {
      const config: KernelConfig = { kernelName: CSC_KERNEL, backendName, kernelFunc: cscKernelFunc as KernelConfig['kernelFunc'] };
      tf.registerKernel(config);
    }
  }
  if (!tf.getGradient(CSC_KERNEL)) tf.registerGradient(cscGradConfig);
  return true;
}

/**
 * CSC loss (Xia et al. 2023; DESIGN.md): τ_ij = cos(v_i, ã_j) + θ (detached; θ when not calibrated),
 * P = softmax_j(v̂_i·ẑ_j / τ_ij), L = mean_i[−Σ_j M_ij log(P_ij + 1e−10) / Σ_j M_ij], M_ij = [y_i = y_j].
 * Differentiable with respect to v and z. v, z, aSel: (B, D) float32; labels: (B) int32.
 */
export function cscLoss(
  v: tf.Tensor2D,
  z: tf.Tensor2D,
  aSel: tf.Tensor2D,
  labels: tf.Tensor1D,
  opts: CscOptions,
): tf.Scalar {
  const backend = tf.getBackend();
  if (!(FUSED_BACKENDS as readonly string[]).includes(backend) || !registerCscKernel()) {
    return cscLossComposed(v, z, aSel, labels, opts);
  }
  checkCscArgs(v, z, aSel, labels, opts);
  const attrs: CscAttrs = { theta: opts.theta, calibrated: opts.calibrated ?? true };
  const [loss, dv, dz] = tf.engine().runKernel(
    CSC_KERNEL,
    { v, z, aSel, labels } as unknown as tf.NamedTensorMap,
    attrs,
  ) as tf.Tensor[];
  dv!.dispose();
  dz!.dispose();
  return loss as tf.Scalar;
}
