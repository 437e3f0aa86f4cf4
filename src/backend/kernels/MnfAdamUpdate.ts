// MnfAdamUpdate on host backends: one loop per parameter over its value, gradient and moments,
// writing the new value and moments into the given out buffers, else into new arrays
// (torch.optim.Adam's single-tensor formula):
//   g ← grad + wd·p;  m' = β1·m + (1−β1)·g;  v' = β2·v + (1−β2)·g²;  p' = p − stepSize·m' / (√v' / bc2Sqrt + eps)
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { AdamUpdate, adamInputName, type AdamUpdateAttrs } from '../kernel-names.js';
import { readFloat32, uninitialisedFloat32, writeFloat32, type HostKernelArgs } from './host-tensors.js';

/** One parameter's step into pOut, mOut, vOut (which alias none of the inputs). */
export type AdamLoop = (p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamUpdateAttrs, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array) => void;

const jsLoop: AdamLoop = (p, g, m, v, h, pOut, mOut, vOut) => {
  const { stepSize, beta1, beta2, eps, weightDecay, bc2Sqrt } = h;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! + weightDecay * p[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    pOut[i] = p[i]! - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
};

/** The host kernel over a loop: the JS one here (cpu), the addon's threaded one (native). */
export function adamUpdateKernel(update: AdamLoop): Omit<KernelConfig, 'backendName'> {
  const kernelFunc = ({ inputs, backend, attrs }: HostKernelArgs): TensorInfo[] => {
    const named = inputs as Record<string, TensorInfo>;
    const hyper = attrs as AdamUpdateAttrs;
    const host = backend as KernelBackend;
    const outputs: TensorInfo[] = [];
    for (let i = 0; i < hyper.count; i++) {
      const [p, g, m, v] = (['param', 'grad', 'm', 'v'] as const).map((role) => named[adamInputName(role, i)]!);
      const n = p!.shape.reduce((a, b) => a * b, 1);
      const outs = (['paramOut', 'mOut', 'vOut'] as const).map((role) => named[adamInputName(role, i)]);
      const given = outs.every((o) => o !== undefined) ? outs.map((o) => host.readSync(o!.dataId)) : null;
      if (given && given.every((a) => a instanceof Float32Array && a.length === n)) {
        // the out buffers are written and returned (each output shares its out buffer)
        update(readFloat32(host, p!), readFloat32(host, g!), readFloat32(host, m!), readFloat32(host, v!), hyper, ...(given as [Float32Array, Float32Array, Float32Array]));
        for (const o of outs) {
          host.incRef(o!.dataId);
          outputs.push({ dataId: o!.dataId, shape: p!.shape, dtype: 'float32' });
        }
        continue;
      }
      const [pOut, mOut, vOut] = [uninitialisedFloat32(n), uninitialisedFloat32(n), uninitialisedFloat32(n)];
      update(readFloat32(host, p!), readFloat32(host, g!), readFloat32(host, m!), readFloat32(host, v!), hyper, pOut, mOut, vOut);
      outputs.push(writeFloat32(host, pOut, p!.shape), writeFloat32(host, mOut, p!.shape), writeFloat32(host, vOut, p!.shape));
    }
    return outputs;
  };
  return { kernelName: AdamUpdate, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
}

export const adamUpdateConfig = adamUpdateKernel(jsLoop);
