// MnfAdamUpdate on host backends: one loop per parameter over its value, gradient and moments,
// writing the new value and moments into new arrays (torch.optim.Adam's single-tensor formula):
//   g ← grad + wd·p;  m' = β1·m + (1−β1)·g;  v' = β2·v + (1−β2)·g²;  p' = p − stepSize·m' / (√v' / bc2Sqrt + eps)
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { AdamUpdate, adamInputName, type AdamUpdateAttrs } from '../kernel-names.js';
import { readFloat32, uninitialisedFloat32, writeFloat32, type HostKernelArgs } from './host-tensors.js';

function update(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamUpdateAttrs, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array): void {
  const { stepSize, beta1, beta2, eps, weightDecay, bc2Sqrt } = h;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! + weightDecay * p[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    pOut[i] = p[i]! - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}

function kernelFunc({ inputs, backend, attrs }: HostKernelArgs): TensorInfo[] {
  const named = inputs as Record<string, TensorInfo>;
  const hyper = attrs as AdamUpdateAttrs;
  const host = backend as KernelBackend;
  const outputs: TensorInfo[] = [];
  for (let i = 0; i < hyper.count; i++) {
    const [p, g, m, v] = (['param', 'grad', 'm', 'v'] as const).map((role) => named[adamInputName(role, i)]!);
    const n = p!.shape.reduce((a, b) => a * b, 1);
    const [pOut, mOut, vOut] = [uninitialisedFloat32(n), uninitialisedFloat32(n), uninitialisedFloat32(n)];
    update(readFloat32(host, p!), readFloat32(host, g!), readFloat32(host, m!), readFloat32(host, v!), hyper, pOut, mOut, vOut);
    outputs.push(writeFloat32(host, pOut, p!.shape), writeFloat32(host, mOut, p!.shape), writeFloat32(host, vOut, p!.shape));
  }
  return outputs;
}

export const adamUpdateConfig = { kernelName: AdamUpdate, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
