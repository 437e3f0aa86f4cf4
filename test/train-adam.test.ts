// Adam follows torch.optim.Adam through the backend's MnfAdamUpdate kernel and through the op's
// composed twin (a backend without the kernel); a parameter without a gradient is skipped.
import { describe, expect, it } from 'vitest';
import { AdamUpdate } from '../src/backend/kernel-names.js';
import { Adam } from '../src/train/adam.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { withoutKernels } from './ops-kernels.js';

/** torch.optim.Adam(weight_decay=wd) on one scalar, written out by hand. */
function torchAdamScalar(p: number, grads: number[], lr: number, wd: number): number {
  let [m, v] = [0, 0];
  grads.forEach((g0, i) => {
    const t = i + 1;
    const g = g0 + wd * p;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    const denom = Math.sqrt(v) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
    p -= (lr / (1 - 0.9 ** t)) * (m / denom);
  });
  return p;
}

describe.each(TEST_BACKENDS)('Adam on %s', (backend) => {
  for (const kernel of [true, false]) {
    it(`${kernel ? 'kernel' : 'composed twin'}: follows torch.optim.Adam with L2 weight decay, bias correction and eps outside the root`, async () => {
      await useBackend(backend);
      const maybeWithoutKernel = <T>(fn: () => T): T => (kernel ? fn() : withoutKernels([AdamUpdate], fn));
      const p0 = [0.5, -1.25, 2, 0];
      const grads = [
        [0.1, -0.3, 2.0, 1e-3],
        [-0.2, -0.1, 1.5, -1e-3],
        [0.05, 0.4, -0.5, 0],
      ];
      const param = tf.variable(tf.tensor1d(p0));
      const adam = new Adam([['w', param]], { lr: 0.01, weightDecay: 0.05 });
      const before = tf.memory().numTensors;
      const counts: number[] = [];
      grads.forEach((g, step) => {
        maybeWithoutKernel(() => tf.tidy(() => adam.apply({ [param.name]: tf.tensor1d(g) })));
        counts.push(tf.memory().numTensors);
        // read after every step (a device backend keeps the host copy it read; an out buffer written
        // later must not answer with it)
        const seen = param.dataSync();
        p0.forEach((p, i) => expect(seen[i]).toBeCloseTo(torchAdamScalar(p, grads.slice(0, step + 1).map((x) => x[i]!), 0.01, 0.05), 6));
      });
      // the values a step replaced (param, m, v) are kept as the next step's out buffers: 3 tensors, no more
      expect(counts).toEqual([before + 3, before + 3, before + 3]);
      const actual = param.dataSync();
      p0.forEach((p, i) => expect(actual[i]).toBeCloseTo(torchAdamScalar(p, grads.map((g) => g[i]!), 0.01, 0.05), 6));
      const state = adam.getState('opt/');
      expect(state['opt/step']!.data[0]).toBe(3);
      expect(Object.keys(state).sort()).toEqual(['opt/exp_avg/w', 'opt/exp_avg_sq/w', 'opt/step']);
      adam.dispose();
      param.dispose();
      expect(tf.memory().numTensors).toBe(before - 3);
    });
  }

  it('writes each step into the values the step before replaced, and never into a tensor someone else holds', async () => {
    await useBackend(backend);
    const param = tf.variable(tf.tensor1d([0.5, -1.25, 2, 0]));
    const adam = new Adam([['w', param]], { lr: 0.01, weightDecay: 0.05 });
    const grad = () => tf.tensor1d([0.1, -0.3, 2.0, 1e-3]);
    const ids: object[] = [];
    for (let step = 0; step < 3; step++) {
      tf.tidy(() => adam.apply({ [param.name]: grad() }));
      ids.push(param.dataId);
    }
    // ping-pong: step 3 writes into the buffer step 2 replaced, which step 1 had written
    expect(ids[2]).toBe(ids[0]);
    expect(ids[1]).not.toBe(ids[0]);
    const held = tf.clone(param); // a user keeps the value after step 3
    const heldValues = Array.from(held.dataSync());
    tf.tidy(() => adam.apply({ [param.name]: grad() }));
    tf.tidy(() => adam.apply({ [param.name]: grad() }));
    tf.tidy(() => adam.apply({ [param.name]: grad() }));
    expect(Array.from(held.dataSync())).toEqual(heldValues);
    expect(Array.from(param.dataSync())).not.toEqual(heldValues);
    tf.dispose([held]);
    adam.dispose();
    param.dispose();
  });

  it('skips a parameter that has no gradient (like p.grad = None)', async () => {
    await useBackend(backend);
    const [a, b] = [tf.variable(tf.tensor1d([1, 2])), tf.variable(tf.tensor1d([3, 4]))];
    const adam = new Adam([['a', a], ['b', b]], { lr: 0.1, weightDecay: 0.5 });
    tf.tidy(() => adam.apply({ [a.name]: tf.tensor1d([1, 1]) }));
    expect(Array.from(b.dataSync())).toEqual([3, 4]);
    expect(Array.from(a.dataSync()).every((x, i) => x < [1, 2][i]!)).toBe(true);
    adam.dispose();
    tf.dispose([a, b]);
  });
});
