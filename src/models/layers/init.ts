// PyTorch's default initialisations, drawn from the store's seeded PRNG.
import type { Rng } from '../../rng.js';

/** nn.Conv3d / nn.Linear default: kaiming_uniform_(a=√5) → U(±1/√fan_in); bias U(±1/√fan_in). */
export function kaimingUniform(rng: Rng, size: number, fanIn: number): Float32Array {
  return rng.uniformArray(size, 1 / Math.sqrt(fanIn));
}

/** xavier_uniform_: U(±√(6 / (fan_in + fan_out))) (nn.MultiheadAttention's in-projection). */
export function xavierUniform(rng: Rng, size: number, fanIn: number, fanOut: number): Float32Array {
  return rng.uniformArray(size, Math.sqrt(6 / (fanIn + fanOut)));
}

export function filled(size: number, value: number): Float32Array {
  return new Float32Array(size).fill(value);
}
