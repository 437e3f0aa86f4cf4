import { backend_util, Conv3D, type Conv3DAttrs, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv } from '../../../native/kernels.js';
import { convGeometry, recordConv } from './conv_util.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type Inputs, type KernelArgs } from './util.js';

export function conv3D(args: KernelArgs) {
  const { x, filter } = args.inputs as unknown as Inputs<'x' | 'filter'>;
  const { strides, pad, dilations, dataFormat } = args.attrs as unknown as Conv3DAttrs;
  if (dataFormat !== 'NDHWC') return cpuFallback(Conv3D, args);
  const info = backend_util.computeConv3DInfo(x.shape as [number, number, number, number, number],
    filter.shape as [number, number, number, number, number], strides, dilations, pad);
  const g = convGeometry(info);
  if (!g || !allFloat32(args.backend, x, filter)) return cpuFallback(Conv3D, args);
  recordConv(Conv3D, g, pad);
  const y = new Float32Array(sizeOf(g.yShape));
  conv(f32(args.backend, x), g.xShape, f32(args.backend, filter), g.filterShape, y, g.yShape, g.geometry);
  return output(args.backend, g.yShape, y);
}

export const conv3DConfig = { kernelName: Conv3D, kernelFunc: conv3D } as unknown as Omit<KernelConfig, 'backendName'>;
