// Optional observer of the convolution and matmul calls the native backend makes: the kernels
// benchmark uses it to list the shapes of a real training step.
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
}

export interface MatMulCall {
  kind: 'matmul';
  kernel: string;
  aShape: number[];
  bShape: number[];
  transposeA: boolean;
  transposeB: boolean;
}

export type KernelCall = ConvCall | MatMulCall;

let listener: ((call: KernelCall) => void) | undefined;

/** Calls `fn` for every native conv/matmul call until the returned function is called. */
export function recordKernelCalls(fn: (call: KernelCall) => void): () => void {
  listener = fn;
  return () => {
    if (listener === fn) listener = undefined;
  };
}

export function record(call: KernelCall): void {
  listener?.(call);
}
