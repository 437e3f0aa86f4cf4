import { Slice, slice_util, util, type KernelConfig, type SliceAttrs, type TypedArray } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { record } from './recorder.js';
import { sliceByBlocks } from './slice_util.js';
import { cpuFallback, type Inputs, type KernelArgs } from './util.js';

/** x[begin, begin + size) for numeric tensors; contiguous slices go to tfjs's cpu kernel (a view, no copy). */
export function sliceValues(backend: MathBackendCPU, x: { dataId: object; shape: number[]; dtype: string }, begin: number[], size: number[]) {
  const values = backend.data.get(x.dataId).values;
  if (x.dtype === 'string' || x.dtype === 'complex64' || !ArrayBuffer.isView(values)) return undefined;
  if (slice_util.isSliceContinous(x.shape, begin, size) || util.sizeFromShape(size) === 0) return undefined;
  return sliceByBlocks(values as TypedArray, x.shape, begin, size);
}

export function slice(args: KernelArgs) {
  const { x } = args.inputs as unknown as Inputs<'x'>;
  const { begin, size } = args.attrs as unknown as SliceAttrs;
  const [$begin, $size] = slice_util.parseSliceParams(x, begin, size);
  slice_util.assertParamsValid(x, $begin, $size);
  const values = sliceValues(args.backend, x, $begin, $size);
  if (!values) return cpuFallback(Slice, args);
  record({ kind: 'other', kernel: Slice });
  return args.backend.makeTensorInfo($size, x.dtype, values);
}

export const sliceConfig = { kernelName: Slice, kernelFunc: slice } as unknown as Omit<KernelConfig, 'backendName'>;
