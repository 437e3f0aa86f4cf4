// Every CUDA kernel's twin cases, for scripts/gpu-check.mjs (the tests take each family's table).
import { clipTwinCases } from './clips.js';
import { convTwinCases } from './conv.js';
import { ELEMENTWISE_TWIN_CASES } from './elementwise.js';
import { FUSED_TWIN_CASES } from './fused.js';
import { LAYOUT_TWIN_CASES } from './layout.js';
import { matMulTwinCases } from './matmul.js';
import { REDUCE_TWIN_CASES } from './reduce.js';
import type { TwinCase } from './types.js';

/** the clip cases generate their videos under the OS temp folder when first run */
export const ALL_TWIN_CASES: readonly TwinCase[] = [
  ...ELEMENTWISE_TWIN_CASES,
  ...REDUCE_TWIN_CASES,
  ...LAYOUT_TWIN_CASES,
  ...FUSED_TWIN_CASES,
  ...convTwinCases,
  ...matMulTwinCases,
  ...clipTwinCases(),
];
