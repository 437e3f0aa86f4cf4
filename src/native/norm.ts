// Typed wrappers over the addon's fused BatchNorm(+ReLU) training kernels (native/norm/).
// Activations are a row-major (rows, channels) float32 matrix; per-channel vectors have `channels`
// elements. The addon allocates the results.
import { addonProblem, loadAddon } from './addon.js';

export interface BatchNormForwardResult {
  /** (rows, channels): [ReLU](γ·(x − mean)·invStd + β) */
  y: Float32Array;
  mean: Float32Array;
  /** biased batch variance (÷ rows) */
  variance: Float32Array;
  /** 1/√(variance + eps) */
  invStd: Float32Array;
}

export interface BatchNormBackwardResult {
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
  /** the gradient reaching BN(x) + residual; present when the backward was asked for it */
  dResidual?: Float32Array;
}

/** True when the addon loads (every binding it loads has the norm kernels: the load checks them). */
export function normKernelsAvailable(): boolean {
  return addonProblem() === undefined;
}

/** y = [ReLU](BN(x) [+ residual]), residual (rows, channels) as a ResNet block adds its shortcut. */
export function batchNormTrainForward(
  x: Float32Array,
  rows: number,
  channels: number,
  gamma: Float32Array,
  beta: Float32Array,
  eps: number,
  relu: boolean,
  residual: Float32Array | null = null,
): BatchNormForwardResult {
  return loadAddon().batchNormTrainForward(x, rows, channels, gamma, beta, eps, relu, residual);
}

/** y, the forward's output, is needed only with relu (the mask y > 0); residual: the forward had
 * one, and dResidual is returned. */
export function batchNormTrainBackward(
  dy: Float32Array,
  x: Float32Array,
  y: Float32Array | null,
  mean: Float32Array,
  invStd: Float32Array,
  gamma: Float32Array,
  rows: number,
  channels: number,
  relu: boolean,
  residual = false,
): BatchNormBackwardResult {
  return loadAddon().batchNormTrainBackward(dy, x, y, mean, invStd, gamma, rows, channels, relu, residual);
}
