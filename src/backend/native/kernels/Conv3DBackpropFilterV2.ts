import { backend_util, Conv3DBackpropFilterV2, type Conv3DBackpropFilterV2Attrs, type KernelConfig } from '@tensorflow/tfjs-core';
import { convBackpropFilter } from '../../../native/kernels.js';
import { convGeometry, recordConv } from './conv_util.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type Inputs, type KernelArgs } from './util.js';

export function conv3DBackpropFilterV2(args: KernelArgs) {
  const { x, dy } = args.inputs as unknown as Inputs<'x' | 'dy'>;
  const { strides, pad, filterShape } = args.attrs as unknown as Conv3DBackpropFilterV2Attrs;
  const info = backend_util.computeConv3DInfo(x.shape as [number, number, number, number, number], filterShape, strides, 1, pad);
  const g = convGeometry(info);
  if (!g || !allFloat32(args.backend, x, dy) || dy.shape.some((d, i) => d !== g.yShape[i])) return cpuFallback(Conv3DBackpropFilterV2, args);
  recordConv(Conv3DBackpropFilterV2, g, pad);
  const dFilter = new Float32Array(sizeOf(g.filterShape));
  convBackpropFilter(f32(args.backend, x), g.xShape, f32(args.backend, dy), g.yShape, dFilter, g.filterShape, g.geometry);
  return output(args.backend, g.filterShape, dFilter);
}

export const conv3DBackpropFilterV2Config = { kernelName: Conv3DBackpropFilterV2, kernelFunc: conv3DBackpropFilterV2 } as unknown as Omit<KernelConfig, 'backendName'>;
