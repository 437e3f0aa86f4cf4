// The Adam update op on each backend: its MnfAdamUpdate kernel (one call for a parameter group) against
// the composed twin; the variables change only by assignment (an array read from a parameter before
// a step keeps its values); a parameter without a gradient is left as it was.
import { describe, expect, it } from 'vitest';
import { AdamUpdate } from '../src/backend/kernel-names.js';
import { Adam } from '../src/train/adam.js';
import { adamUpdateComposed, type AdamHyper } from '../src/train/adam-composed.js';
import { adamUpdate } from '../src/train/adam-update.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { expectClose } from './models-fixture.js';
import { countKernelCalls } from './ops-kernels.js';

const SHAPES = [[3, 4, 5], [7], [2, 9]];
const hyper = (t: number): AdamHyper => ({ stepSize: 0.01 / (1 - 0.9 ** t), beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 5e-4, bc2Sqrt: Math.sqrt(1 - 0.999 ** t) });

/** Three steps of the update on a group, each op's outputs fed to the next step. */
function threeSteps(update: typeof adamUpdate): Float32Array[][] {
  return tf.tidy(() => {
    let slots = SHAPES.map((shape, i) => ({
      param: tf.randomNormal(shape, 0, 1, 'float32', i + 1),
      m: tf.zeros(shape),
      v: tf.zeros(shape),
    }));
    for (let t = 1; t <= 3; t++) {
      const grads = SHAPES.map((shape, i) => tf.randomNormal(shape, 0, 0.1 * (i + 1), 'float32', 10 * t + i));
      slots = update(slots.map((s, i) => ({ ...s, grad: grads[i]! })), hyper(t));
    }
    return slots.map((s) => [s.param, s.m, s.v].map((x) => x.dataSync() as Float32Array));
  });
}

describe.each(TEST_BACKENDS)('Adam update op on %s', (backend) => {
  it('the kernel = the composed twin: value, exp_avg and exp_avg_sq of every parameter of a group', async () => {
    await useBackend(backend);
    expect(tf.getKernel(AdamUpdate, backend)).toBeDefined();
    const before = tf.memory().numTensors;
    const kernel = threeSteps(adamUpdate);
    const composed = threeSteps(adamUpdateComposed);
    expect(tf.memory().numTensors, 'no tensor left behind').toBe(before);
    kernel.forEach((slot, i) => {
      ['param', 'm', 'v'].forEach((what, j) => expectClose(slot[j]!, composed[i]![j]!, 1e-6, `slot ${i} ${what}`));
    });
    expect(kernel[0]![2]!.some((v) => v > 0)).toBe(true);
  });

  it('one kernel call per step updates the group; a parameter without a gradient is left as it was', async () => {
    await useBackend(backend);
    const params = SHAPES.map((shape, i) => tf.variable(tf.randomNormal(shape, 0, 1, 'float32', i + 1)));
    const adam = new Adam(params.map((p, i) => [`p${i}`, p] as [string, tf.Variable]), { lr: 0.1, weightDecay: 0 });
    const skipped = Array.from(params[1]!.dataSync());
    const { calls } = countKernelCalls(AdamUpdate, () =>
      tf.tidy(() => adam.apply({ [params[0]!.name]: tf.onesLike(params[0]!), [params[2]!.name]: tf.onesLike(params[2]!) })),
    );
    expect(calls).toBe(1);
    expect(Array.from(params[1]!.dataSync())).toEqual(skipped);
    const state = adam.getState('');
    expect(state['exp_avg/p1']!.data.every((v) => v === 0)).toBe(true);
    expect(state['exp_avg/p0']!.data.every((v) => Math.abs(v - 0.1) < 1e-7)).toBe(true);
    adam.dispose();
    tf.dispose(params);
  });

  it('a parameter changes only by assignment: the array read from it before the step keeps its values', async () => {
    await useBackend(backend);
    const param = tf.variable(tf.tensor1d([0.5, -1, 2]));
    const adam = new Adam([['w', param]], { lr: 0.1, weightDecay: 0.01 });
    const held = param.dataSync(); // on the host backends: the tensor's own array
    const alias = tf.reshape(param, [3, 1]); // shares the variable's data
    tf.tidy(() => adam.apply({ [param.name]: tf.tensor1d([1, 1, -1]) }));
    expect(Array.from(held)).toEqual([0.5, -1, 2]);
    expect(Array.from(alias.dataSync())).toEqual([0.5, -1, 2]);
    expect(Array.from(param.dataSync())).not.toEqual([0.5, -1, 2]);
    adam.dispose();
    tf.dispose([param, alias]);
  });

  it('a gradient of another shape is refused, naming the parameter', async () => {
    await useBackend(backend);
    const param = tf.variable(tf.zeros([2, 3]));
    const adam = new Adam([['stem.conv.weight', param]], { lr: 0.1, weightDecay: 0 });
    expect(() => tf.tidy(() => adam.apply({ [param.name]: tf.zeros([6]) }))).toThrow(/^Adam: the gradient of 'stem\.conv\.weight' has shape \[6\], the parameter \[2,3\]$/);
    adam.dispose();
    param.dispose();
  });
});
