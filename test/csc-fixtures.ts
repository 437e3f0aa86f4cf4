// The CSC reference fixtures (scripts/reference/csc_fixtures.py) and the error measure the CSC
// tests compare gradients with.
import { readFileSync } from 'node:fs';
import { maxRelativeError } from '../src/native/twin-check.js';

export interface CscCase {
  name: string;
  batch: number;
  dim: number;
  theta: number;
  calibrated: boolean;
  labels: number[];
  v: number[];
  z: number[];
  a_sel: number[];
  loss: number;
  dv: number[];
  dz: number[];
  /** rows of v, z, a set to zero (F.normalize's eps decides there) */
  zero_rows: { v?: number[]; z?: number[]; a?: number[] };
}

export function cscCases(): CscCase[] {
  return (JSON.parse(readFileSync(new URL('./fixtures/reference/csc.json', import.meta.url), 'utf8')) as { cases: CscCase[] }).cases;
}

/**
 * maxRelativeError of a (B, D) gradient, taken separately over the rows whose input is zero and
 * over the others: the gradient of a zero row is scaled by 1 / eps = 1e12 and would hide the others.
 */
export function gradientError(actual: ArrayLike<number>, expected: ArrayLike<number>, dim: number, zeroRows: number[] = []): number {
  if (actual.length !== expected.length) throw new Error(`gradientError: ${actual.length} values against ${expected.length}`);
  const zero = new Set(zeroRows);
  const rows = (keep: (row: number) => boolean) => {
    const pick = (x: ArrayLike<number>) => Array.from(x).filter((_, k) => keep(Math.floor(k / dim)));
    return maxRelativeError(pick(actual), pick(expected));
  };
  return Math.max(rows((r) => !zero.has(r)), zeroRows.length > 0 ? rows((r) => zero.has(r)) : 0);
}
