// Training-mode BatchNorm (+ residual)(+ ReLU) as one op on backend 'native', both directions in the addon
// (native/norm/: two passes each, multi-threaded): the kernels are
// src/backend/native/kernels/MnfNativeBatchNormTrain{,Grad}.ts; the op and its gradient live here.
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { NATIVE_BN_TRAIN_KERNEL } from '../../backend/native/kernels/MnfNativeBatchNormTrain.js';
import { NATIVE_BN_TRAIN_GRAD_KERNEL } from '../../backend/native/kernels/MnfNativeBatchNormTrainGrad.js';
import { normKernelsAvailable } from '../../native/norm.js';
import { tf } from '../../tf.js';

let gradientRegistered = false;

function registerGradient(): void {
  if (gradientRegistered) return;
  tf.registerGradient({
    kernelName: NATIVE_BN_TRAIN_KERNEL,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [true, true, false, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = Array.isArray(dys) ? dys[0]! : dys;
      const [x, gamma, y, mean, invStd] = saved as tf.Tensor[];
      const [dx, dGamma, dBeta, dResidual] = tf.engine().runKernel(NATIVE_BN_TRAIN_GRAD_KERNEL, { dy, x, y, gamma, mean, invStd } as unknown as tf.NamedTensorMap, attrs as NamedAttrMap) as tf.Tensor[];
      const grads: Record<string, () => tf.Tensor> = { x: () => dx!, gamma: () => dGamma!, beta: () => dBeta! };
      if (dResidual) grads.residual = () => dResidual;
      return grads;
    },
  });
  gradientRegistered = true;
}

/** True on backend 'native' when its addon has the norm kernels; registers the op's gradient. */
export function nativeBatchNormAvailable(): boolean {
  if (tf.getBackend() !== 'native' || !tf.getKernel(NATIVE_BN_TRAIN_KERNEL, 'native') || !normKernelsAvailable()) return false;
  registerGradient();
  return true;
}

/** y = [ReLU](BN(x) [+ residual]) (rows, C), batch mean (C), biased batch variance (C) */
export function batchNormTrainNative(
  x: tf.Tensor2D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
  relu: boolean,
  residual?: tf.Tensor2D,
): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
  const inputs = residual ? { x, gamma, beta, residual } : { x, gamma, beta };
  const attrs = { eps, relu, residual: residual !== undefined };
  const [y, mean, variance, invStd] = tf.engine().runKernel(NATIVE_BN_TRAIN_KERNEL, inputs as unknown as tf.NamedTensorMap, attrs) as tf.Tensor[];
  invStd!.dispose(); // the gradient keeps its own reference (outputsToSave)
  return [y as tf.Tensor2D, mean as tf.Tensor1D, variance as tf.Tensor1D];
}
