import { backend_util, Conv2D, type Conv2DAttrs, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv } from '../../../native/kernels.js';
import { convGeometry, recordConv } from './conv_util.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type Inputs, type KernelArgs } from './util.js';

export function conv2D(args: KernelArgs) {
  const { x, filter } = args.inputs as unknown as Inputs<'x' | 'filter'>;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as Conv2DAttrs;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    strides, dilations, pad, dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat));
  const g = convGeometry(info);
  if (!g || !allFloat32(args.backend, x, filter)) return cpuFallback(Conv2D, args);
  recordConv(Conv2D, g, pad);
  const y = new Float32Array(sizeOf(g.yShape));
  conv(f32(args.backend, x), g.xShape, f32(args.backend, filter), g.filterShape, y, g.yShape, g.geometry);
  return output(args.backend, g.yShape, y);
}

export const conv2DConfig = { kernelName: Conv2D, kernelFunc: conv2D } as unknown as Omit<KernelConfig, 'backendName'>;
