import { backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig } from '@tensorflow/tfjs-core';
import { convBackpropFilter } from '../../../native/kernels.js';
import { convGeometry, recordConv } from './conv_util.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type Inputs, type KernelArgs } from './util.js';

export function conv2DBackpropFilter(args: KernelArgs) {
  const { x, dy } = args.inputs as unknown as Inputs<'x' | 'dy'>;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad,
    dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat));
  const g = convGeometry(info);
  if (!g || !allFloat32(args.backend, x, dy) || dy.shape.some((d, i) => d !== g.yShape[i])) return cpuFallback(Conv2DBackpropFilter, args);
  recordConv(Conv2DBackpropFilter, g, pad);
  const dFilter = new Float32Array(sizeOf(g.filterShape));
  convBackpropFilter(f32(args.backend, x), g.xShape, f32(args.backend, dy), g.yShape, dFilter, g.filterShape, g.geometry);
  return output(args.backend, g.filterShape, dFilter);
}

export const conv2DBackpropFilterConfig = { kernelName: Conv2DBackpropFilter, kernelFunc: conv2DBackpropFilter } as unknown as Omit<KernelConfig, 'backendName'>;
