// The addon's threaded Adam loop (native/kernels/adam.cc) computes what the cpu backend's JS loop
// computes, bit for bit, above and below its threading threshold; its arguments are checked.
import { describe, expect, it } from 'vitest';
import { adamUpdate } from '../src/native/kernels.js';
import { addonProblem } from '../src/native/addon.js';
import { Rng } from '../src/rng.js';

const hyper = { stepSize: 1e-3 / (1 - 0.9 ** 3), beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 5e-4, bc2Sqrt: Math.sqrt(1 - 0.999 ** 3) };

/** The JS loop of src/backend/kernels/MnfAdamUpdate.ts, written out again as the oracle. */
function jsAdam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array) {
  const out = [new Float32Array(p.length), new Float32Array(p.length), new Float32Array(p.length)] as const;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! + hyper.weightDecay * p[i]!;
    const mi = hyper.beta1 * m[i]! + (1 - hyper.beta1) * gi;
    const vi = hyper.beta2 * v[i]! + (1 - hyper.beta2) * gi * gi;
    out[1][i] = mi;
    out[2][i] = vi;
    out[0][i] = p[i]! - (hyper.stepSize * mi) / (Math.sqrt(vi) / hyper.bc2Sqrt + hyper.eps);
  }
  return out;
}

const random = (n: number, rng: Rng, positive = false) => Float32Array.from({ length: n }, () => (positive ? Math.abs(rng.normal()) * 1e-3 : rng.normal()));

describe.skipIf(addonProblem() !== undefined)('native adamUpdate', () => {
  it.each([1, 1000, 300_000])('equals the JS loop bit for bit (%i values)', (n) => {
    const rng = new Rng(n);
    const [p, g, m, v] = [random(n, rng), random(n, rng), random(n, rng), random(n, rng, true)];
    const out = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
    adamUpdate(p, g, m, v, out[0], out[1], out[2], hyper);
    const expected = jsAdam(p, g, m, v);
    for (let k = 0; k < 3; k++) expect(Buffer.from(out[k].buffer).equals(Buffer.from(expected[k].buffer)), `output ${k}`).toBe(true);
  });

  it('names a wrong length and an output that aliases an input', () => {
    const a = () => new Float32Array(4);
    expect(() => adamUpdate(a(), a(), a(), a(), a(), new Float32Array(3), a(), hyper)).toThrow('mOut: expected 4 values (as param), got 3');
    const p = a();
    expect(() => adamUpdate(p, a(), a(), a(), p, a(), a(), hyper)).toThrow('paramOut must not be param');
    expect(() => adamUpdate(a(), a(), a(), a(), a(), a(), a(), { ...hyper, eps: 'x' as unknown as number })).toThrow(/hyper\.eps/);
  });
});
