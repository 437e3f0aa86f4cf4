// Loads the PyTorch reference fixtures (scripts/reference/model_fixtures.py): float32 LE base64.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TensorState } from '../src/train/types.js';

export interface EncodedTensor {
  shape: number[];
  b64: string;
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'reference', name), 'utf8')) as T;
}

export function decode(t: EncodedTensor): Float32Array {
  const bytes = Buffer.from(t.b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function toState(weights: Record<string, EncodedTensor>, prefix = ''): TensorState {
  const state: TensorState = {};
  for (const [name, t] of Object.entries(weights)) state[prefix + name] = { shape: t.shape, data: decode(t) };
  return state;
}

/** max |actual − expected| ≤ tol·max(1, max|expected|), with the worst index in the message */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (!(diff <= worst)) {
      worst = diff;
      at = i;
    }
  }
  expect(worst, `${what}: worst difference at ${at} (${actual[at]} vs ${expected[at]})`).toBeLessThanOrEqual(tol * scale);
}
