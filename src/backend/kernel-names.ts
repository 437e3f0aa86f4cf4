// The project's fused kernels, as tfjs-core's kernel_names.ts lists its own: the name, inputs,
// attributes and outputs each backend's implementation agrees on. Ops (models/layers/batchnorm-ops.ts,
// losses/csc.ts, train/adam-update.ts) run them by name; a backend registers a kernel per name
// (src/backend/cpu/kernels/, src/backend/native/kernels/, shared host ones in src/backend/kernels/).
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../tf.js';

/**
 * Training-mode BatchNorm over (rows, C) with an optional residual (rows, C).
 * Outputs [y = [ReLU](BN(x) [+ residual]) (rows, C), batch mean (C), biased batch variance (C), 1/√(var + eps) (C)].
 */
export const BatchNormTrain = 'MnfBatchNormTrain';
export type BatchNormTrainInputs = { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo; residual?: TensorInfo };
export interface BatchNormTrainAttrs extends NamedAttrMap {
  eps: number;
  relu: boolean;
  /** the op has a residual input (then its gradient has a dResidual output) */
  residual: boolean;
}

/**
 * BatchNormTrain's gradient. Inputs dy, x, y (the forward's output: the ReLU mask), γ, mean, invStd;
 * attributes BatchNormTrain's. Outputs [dx, dγ, dβ, dResidual (only with a residual)].
 */
export const BatchNormTrainGrad = 'MnfBatchNormTrainGrad';
export type BatchNormTrainGradInputs = Record<'dy' | 'x' | 'y' | 'gamma' | 'mean' | 'invStd', TensorInfo>;

/**
 * BatchNorm's running statistics moved towards the batch's (PyTorch's rule):
 * mean' = (1 − m)·mean_run + m·mean, var' = (1 − m)·var_run + m·rows/(rows − 1)·var (the unbiased variance).
 * Outputs [mean', var'].
 */
export const BatchNormRunningStats = 'MnfBatchNormRunningStats';
export type BatchNormRunningStatsInputs = Record<'runningMean' | 'runningVar' | 'mean' | 'variance', TensorInfo>;
export interface BatchNormRunningStatsAttrs extends NamedAttrMap {
  momentum: number;
  /** values per channel in the batch */
  rows: number;
}

/**
 * One Adam step (torch.optim.Adam, L2 weight decay) for a group of `count` parameters.
 * Inputs param<i>, grad<i>, m<i>, v<i> for i < count; outputs [param'<0>, m'<0>, v'<0>, param'<1>, ...].
 * Optional inputs paramOut<i>, mOut<i>, vOut<i>: buffers no other tensor uses (the optimiser's
 * retired values, like torch's `out=`); a kernel may write its outputs into them and return them,
 * which spares a host backend three parameter-sized allocations per parameter a step.
 */
export const AdamUpdate = 'MnfAdamUpdate';
/** Adam's hyper-parameters for one step (torch.optim.Adam's single-tensor formula). */
export interface AdamHyper {
  /** lr / (1 − β1^t) */
  stepSize: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** √(1 − β2^t) */
  bc2Sqrt: number;
}
export interface AdamUpdateAttrs extends NamedAttrMap, AdamHyper {
  count: number;
}
export type AdamInputRole = 'param' | 'grad' | 'm' | 'v' | 'paramOut' | 'mOut' | 'vOut';
export const adamInputName = (role: AdamInputRole, index: number): string => `${role}${index}`;

/**
 * The CSC loss (DESIGN.md) and both its gradients in one call. Inputs v, z, aSel (B, D) float32,
 * labels (B) int32; outputs [loss (scalar), dL/dv (B, D), dL/dz (B, D)].
 */
export const CscLoss = 'MnfCscLoss';
export type CscLossInputs = Record<'v' | 'z' | 'aSel' | 'labels', TensorInfo>;
export interface CscLossAttrs extends NamedAttrMap {
  theta: number;
  calibrated: boolean;
}

/** True when the current backend registered a kernel under every given name. */
export function kernelsRegistered(...names: string[]): boolean {
  const backend = tf.getBackend();
  return names.every((name) => tf.getKernel(name, backend) !== undefined);
}
