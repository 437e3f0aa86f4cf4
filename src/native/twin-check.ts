// CUDA paths against their CPU twins, on the same inputs through the same addon: used by the tests
// (skipped where no GPU is usable) and by scripts/gpu-check.mjs on a GPU machine. `device` is
// normally 'cuda'; 'cpu' compares the CPU path with itself (checks the plumbing anywhere).
import { cscLossGrad, type CscArrays } from './csc.js';
import { decodeClips } from './decode.js';

type TwinDevice = 'cpu' | 'cuda';

/** Deterministic CSC inputs: xorshift32, v and ã non-negative (post-ReLU-like), z signed. */
export function cscTwinInputs(batch: number, dim: number, classes: number, theta: number, calibrated: boolean): CscArrays {
  let state = (batch * 7919 + dim * 104729 + classes) >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  const fill = (signed: boolean) => Float32Array.from({ length: batch * dim }, () => (signed ? next() * 2 - 1 : next()));
  const labels = Int32Array.from({ length: batch }, (_, i) => (classes >= batch ? i : Math.floor(next() * classes)));
  return { v: fill(false), z: fill(true), aSel: fill(false), labels, batch, dim, theta, calibrated };
}

/** max |a − b| / max |b|; the absolute difference where b is all zeros (B = 1: no gradient). */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let k = 0; k < expected.length; k++) {
    diff = Math.max(diff, Math.abs(actual[k]! - expected[k]!));
    scale = Math.max(scale, Math.abs(expected[k]!));
  }
  return scale > 0 ? diff / scale : diff;
}

/** [batch, dim, classes, θ, calibrated]: sizes from 1 to B = 4096 and D = 2048, label patterns included. */
export const CSC_TWIN_CASES: readonly [number, number, number, number, boolean][] = [
  [1, 1, 1, 0.07, true],
  [5, 3, 5, 0.07, true],
  [37, 19, 4, 0.2, true],
  [130, 257, 1, 0.07, true],
  [300, 64, 300, 0.1, false],
  [1024, 512, 51, 0.07, true],
  [4096, 512, 51, 0.07, true],
  [257, 2048, 20, 0.2, true],
];

export interface CscTwinResult {
  batch: number;
  dim: number;
  classes: number;
  theta: number;
  calibrated: boolean;
  /** the device each side actually ran on */
  devices: [string, string];
  /** relative differences of the loss and both gradients */
  loss: number;
  dv: number;
  dz: number;
}

export function compareCscTwin(batch: number, dim: number, classes: number, theta: number, calibrated: boolean, device: TwinDevice = 'cuda'): CscTwinResult {
  const args = cscTwinInputs(batch, dim, classes, theta, calibrated);
  const cpu = cscLossGrad(args, 'cpu');
  const other = cscLossGrad(args, device);
  return {
    batch,
    dim,
    classes,
    theta,
    calibrated,
    devices: [cpu.device, other.device],
    loss: maxRelativeError([other.loss], [cpu.loss]),
    dv: maxRelativeError(other.dv, cpu.dv),
    dz: maxRelativeError(other.dz, cpu.dz),
  };
}

/**
 * Two 4-frame train clips (one flipped, fractional crop boxes) decoded and transformed on the CPU
 * and on `device`; returns the decode errors and the largest absolute difference of the outputs.
 */
export async function compareTransformTwin(videoPaths: [string, string], device: TwinDevice = 'cuda'): Promise<{ errors: string[]; maxAbsDifference: number }> {
  const make = (on: TwinDevice) => ({
    paths: videoPaths,
    frames: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]),
    boxes: Float32Array.from([17, 9, 200, 150, 40.5, 30.25, 100, 90]),
    flips: Uint8Array.from([1, 0]),
    size: 112,
    out: new Float32Array(2 * 4 * 112 * 112 * 3),
    device: on,
  });
  const cpu = make('cpu');
  const other = make(device);
  const errors = [...(await decodeClips(cpu)), ...(await decodeClips(other))].filter((e): e is string => e !== null);
  let worst = 0;
  for (let i = 0; i < cpu.out.length; i++) worst = Math.max(worst, Math.abs(cpu.out[i]! - other.out[i]!));
  return { errors, maxAbsDifference: worst };
}
