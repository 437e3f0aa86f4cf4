// Helpers for the kernels tests: run the same computation on tfjs's 'cpu' backend and on
// 'native', from the same seeded random inputs, and compare element by element.
import { expect } from 'vitest';
import { initBackend, tf } from '../src/index.js';
import { recordKernelCalls } from '../src/backend/native/kernels/recorder.js';

/** Deterministic uniform values in [-1, 1). */
export function randomValues(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export interface Input {
  shape: number[];
  seed: number;
  dtype?: 'float32' | 'int32';
}

/** Runs `fn` on fresh tensors of the given inputs under `backend`; returns the results' values. */
export async function runOn(backend: 'cpu' | 'native', inputs: Input[], fn: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<{ shape: number[]; values: Float32Array }[]> {
  await initBackend(backend);
  const outputs = tf.tidy(() => {
    const tensors = inputs.map((i) => {
      const size = i.shape.reduce((a, b) => a * b, 1);
      const v = randomValues(size, i.seed);
      return i.dtype === 'int32' ? tf.tensor(Int32Array.from(v, (x) => Math.round(x * 10)), i.shape, 'int32') : tf.tensor(v, i.shape);
    });
    const out = fn(...tensors);
    return Array.isArray(out) ? out : [out];
  });
  // read outside tidy: tidy walks its result looking for tensors, element by element
  const results = outputs.map((t) => ({ shape: t.shape, values: Float32Array.from(t.dataSync() as Float32Array) }));
  tf.dispose(outputs);
  return results;
}

/**
 * |native − cpu| <= tol · max(|cpu|, rms(cpu)) for every element (relative, robust near zero);
 * NaN must meet NaN.
 */
export function expectClose(actual: Float32Array, expected: Float32Array, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let sq = 0;
  let finite = 0;
  for (const v of expected) {
    if (Number.isFinite(v)) {
      sq += v * v;
      finite++;
    }
  }
  const rms = Math.sqrt(sq / Math.max(1, finite));
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i]!) && Number.isNaN(actual[i]!)) continue;
    if (expected[i] === actual[i]) continue;
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), rms, 1e-30);
    if (!(err <= worst)) {
      worst = err;
      worstAt = i;
    }
  }
  expect(worst, `worst relative error at ${worstAt}: native ${actual[worstAt]} vs cpu ${expected[worstAt]}`).toBeLessThanOrEqual(tol);
}

/**
 * Same computation on both backends; every output must match. Returns the kernels the native
 * backend served in the addon (those it handed to tfjs's cpu kernels are not listed).
 */
export async function expectSameOnBothBackends(inputs: Input[], fn: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[], tol = 1e-4): Promise<string[]> {
  const cpu = await runOn('cpu', inputs, fn);
  const served = new Set<string>();
  const stop = recordKernelCalls((call) => served.add(call.kernel));
  let native: Awaited<ReturnType<typeof runOn>>;
  try {
    native = await runOn('native', inputs, fn);
  } finally {
    stop();
  }
  expect(native.length).toBe(cpu.length);
  native.forEach((n, i) => {
    expect(n.shape).toEqual(cpu[i]!.shape);
    expectClose(n.values, cpu[i]!.values, tol);
  });
  return [...served];
}
