import { backend_util, Conv3DBackpropInputV2, type Conv3DBackpropInputV2Attrs, type KernelConfig } from '@tensorflow/tfjs-core';
import { convBackpropInput } from '../../../native/kernels.js';
import { convGeometry, recordConv } from './conv_util.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type Inputs, type KernelArgs } from './util.js';

export function conv3DBackpropInputV2(args: KernelArgs) {
  const { dy, filter } = args.inputs as unknown as Inputs<'dy' | 'filter'>;
  const { inputShape, strides, pad } = args.attrs as unknown as Conv3DBackpropInputV2Attrs;
  const info = backend_util.computeConv3DInfo(inputShape, filter.shape as [number, number, number, number, number], strides, 1, pad);
  const g = convGeometry(info);
  if (!g || !allFloat32(args.backend, dy, filter) || dy.shape.some((d, i) => d !== g.yShape[i])) return cpuFallback(Conv3DBackpropInputV2, args);
  recordConv(Conv3DBackpropInputV2, g, pad);
  const dx = new Float32Array(sizeOf(g.xShape));
  convBackpropInput(f32(args.backend, dy), g.yShape, f32(args.backend, filter), g.filterShape, dx, g.xShape, g.geometry);
  return output(args.backend, g.xShape, dx);
}

export const conv3DBackpropInputV2Config = { kernelName: Conv3DBackpropInputV2, kernelFunc: conv3DBackpropInputV2 } as unknown as Omit<KernelConfig, 'backendName'>;
