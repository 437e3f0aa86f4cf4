// Optional observer of the calls the native backend serves in the addon (not the ones it hands to
// tfjs's cpu kernels): the kernels benchmark lists a training step's conv/matmul shapes with it.
/** A convolution's `pad` attribute as tfjs ops take it. */
export type TfjsPad = 'same' | 'valid' | number | number[][];

export interface ConvCall {
  kind: 'conv';
  kernel: string;
  xShape: number[];
  filterShape: number[];
  yShape: number[];
  strides: number[];
  dilations: number[];
  padBefore: number[];
  padAfter: number[];
  pad: TfjsPad;
}

export interface MatMulCall {
  kind: 'matmul';
  kernel: string;
  aShape: number[];
  bShape: number[];
  transposeA: boolean;
  transposeB: boolean;
}

/** Element-wise and reduction kernels run natively. */
export interface OtherCall {
  kind: 'other';
  kernel: string;
}

export type KernelCall = ConvCall | MatMulCall | OtherCall;

let listener: ((call: KernelCall) => void) | undefined;

/** Calls `fn` for every native call until the returned function is called. */
export function recordKernelCalls(fn: (call: KernelCall) => void): () => void {
  listener = fn;
  return () => {
    if (listener === fn) listener = undefined;
  };
}

export function record(call: KernelCall): void {
  listener?.(call);
}
