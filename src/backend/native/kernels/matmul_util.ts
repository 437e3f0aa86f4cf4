// Shared by BatchMatMul and _FusedMatMul (of backends native and cuda): tfjs's rank-N operands seen as
// [batch, rows, cols], and what the addon's fused epilogue computes.
import { broadcast_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { MatMulActivation } from '../../../native/kernels.js';
import { sizeOf } from './util.js';

/** _FusedMatMul's activations the addon fuses (prelu and others go to the cpu kernel) */
export const FUSED_ACTIVATIONS: Record<string, MatMulActivation> = {
  linear: MatMulActivation.Linear,
  relu: MatMulActivation.Relu,
  relu6: MatMulActivation.Relu6,
  elu: MatMulActivation.Elu,
  sigmoid: MatMulActivation.Sigmoid,
  leakyrelu: MatMulActivation.LeakyRelu,
};

/** The addon adds a bias of one value per output column ([n], [1, n], ...); other biases go to the cpu kernel. */
export function fusedBiasFits(bias: TensorInfo | undefined, plan: MatMulPlan | undefined): boolean {
  return !bias || (plan !== undefined && sizeOf(bias.shape) === plan.n && bias.shape[bias.shape.length - 1] === plan.n);
}

export interface MatMulPlan {
  aShape: [number, number, number];
  bShape: [number, number, number];
  outShape: number[];
  m: number;
  n: number;
}

/** undefined when the batch dims neither match nor broadcast from 1 (tfjs's cpu kernel handles those). */
export function planMatMul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): MatMulPlan | undefined {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return undefined;
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (sizeOf(outer) !== Math.max(batchA, batchB)) return undefined;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const ka = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (ka !== kb || ka === 0) return undefined;
  return {
    aShape: [batchA, a.shape[ra - 2]!, a.shape[ra - 1]!],
    bShape: [batchB, b.shape[rb - 2]!, b.shape[rb - 1]!],
    outShape: [...outer, m, n],
    m,
    n,
  };
}
