// The addon's kernels for backend 'native', one file per kernel (tfjs's layout).
import type { KernelConfig } from '@tensorflow/tfjs-core';

export const nativeKernels: Omit<KernelConfig, 'backendName'>[] = [];
