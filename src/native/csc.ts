// Typed wrapper of the addon's fused CSC loss (native/csc/): one call gives the loss and both gradients.
import { addonProblem, loadAddon } from './addon.js';

export type CscDevice = 'cpu' | 'cuda' | 'auto';

export interface CscArrays {
  /** (B, D) row-major student features */
  v: Float32Array;
  /** (B, D) MNF outputs */
  z: Float32Array;
  /** (B, D) filtered teacher features ã */
  aSel: Float32Array;
  /** (B) class ids */
  labels: Int32Array;
  batch: number;
  dim: number;
  theta: number;
  calibrated: boolean;
}

export interface CscResult {
  loss: number;
  /** dL/dv, (B, D) */
  dv: Float32Array;
  /** dL/dz, (B, D) */
  dz: Float32Array;
  /** where it ran */
  device: 'cpu' | 'cuda';
}

/** Why the fused CSC cannot run here (the addon is missing or stale); undefined when it can. */
export function cscProblem(): string | undefined {
  return addonProblem();
}

/** Forward and backward of CSC in one addon call ('auto' uses CUDA when a device is usable). */
export function cscLossGrad(args: CscArrays, device: CscDevice = 'auto'): CscResult {
  return loadAddon().cscLossGrad(
    args.v,
    args.z,
    args.aSel,
    args.labels,
    [args.batch, args.dim],
    args.theta,
    args.calibrated,
    device,
  );
}
