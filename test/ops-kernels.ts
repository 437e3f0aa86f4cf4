// Helpers for the fused-op tests: the project's kernel names, and running code on a backend as if
// it had no kernel for some of them (the ops then compute their composed twins).
import { AdamUpdate, BatchNormRunningStats, BatchNormTrain, BatchNormTrainGrad, CscLoss } from '../src/backend/kernel-names.js';
import { tf } from '../src/tf.js';

export const BATCHNORM_KERNELS = [BatchNormTrain, BatchNormTrainGrad, BatchNormRunningStats];
export const FUSED_KERNELS = [...BATCHNORM_KERNELS, AdamUpdate, CscLoss];

/** The fused kernels the current backend lacks (the backends here register all of them). */
export function missingKernels(): string[] {
  return FUSED_KERNELS.filter((name) => !tf.getKernel(name, tf.getBackend()));
}

/** Runs fn with the current backend's kernels of these names unregistered, then registers them again. */
export function withoutKernels<T>(names: string[], fn: () => T): T {
  const backend = tf.getBackend();
  const removed = names.map((name) => tf.getKernel(name, backend)).filter((k): k is tf.KernelConfig => k !== undefined);
  if (removed.length !== names.length) throw new Error(`backend '${backend}' lacks one of ${names.join(', ')}: nothing to compare`);
  for (const k of removed) tf.unregisterKernel(k.kernelName, backend);
  try {
    return fn();
  } finally {
    for (const k of removed) tf.registerKernel(k);
  }
}

/** Runs fn and counts the calls of the current backend's kernel `name` during it. */
export function countKernelCalls<T>(name: string, fn: () => T): { result: T; calls: number } {
  const backend = tf.getBackend();
  const kernel = tf.getKernel(name, backend);
  if (!kernel) throw new Error(`backend '${backend}' has no kernel ${name}`);
  let calls = 0;
  tf.unregisterKernel(name, backend);
  tf.registerKernel({
    ...kernel,
    kernelFunc: (args) => {
      calls += 1;
      return kernel.kernelFunc(args);
    },
  });
  try {
    return { result: fn(), calls };
  } finally {
    tf.unregisterKernel(name, backend);
    tf.registerKernel(kernel);
  }
}
