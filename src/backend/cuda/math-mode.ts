// How backend cuda's convolutions and matrix products compute: --precision and --tf32.
export type Precision = 'fp32' | 'bf16';

export interface CudaMathMode {
  /** bf16: convolutions and GEMMs read bf16 operands and accumulate in fp32; the weights stay fp32 (master copies) */
  precision: Precision;
  /** fp32 GEMMs and convolutions may use TF32 tensor cores (ignored under bf16 and on the emulated device) */
  tf32: boolean;
}

export const DEFAULT_MATH_MODE: Readonly<CudaMathMode> = Object.freeze({ precision: 'fp32', tf32: true });
