import { backend_util, SplitV, util, type KernelConfig, type SplitVAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { record } from './recorder.js';
import { slice } from './Slice.js';
import type { Inputs, KernelArgs } from './util.js';

/** Pieces of x along an axis, each a block-copy slice (tfjs's cpu kernel, with the faster Slice). */
export function splitV(args: KernelArgs): TensorInfo[] {
  const { x } = args.inputs as unknown as Inputs<'x'>;
  const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
  const $axis = util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x as never, numOrSizeSplits, $axis);
  record({ kind: 'other', kernel: SplitV });
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[$axis] = s;
    const piece = slice({ inputs: { x }, backend: args.backend, attrs: { begin: begin.slice(), size } });
    begin[$axis] += s;
    return piece as TensorInfo;
  });
}

export const splitVConfig = { kernelName: SplitV, kernelFunc: splitV } as unknown as Omit<KernelConfig, 'backendName'>;
