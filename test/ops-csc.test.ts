// The CSC op on each backend: its MnfCscLoss kernel (one addon call) against the composed twin,
// loss and both gradients, calibrated and not; the op falls back to the twin on a backend without it.
import { describe, expect, it } from 'vitest';
import { CscLoss } from '../src/backend/kernel-names.js';
import { cscLoss } from '../src/losses/csc.js';
import { cscLossComposed } from '../src/losses/csc-composed.js';
import { addonProblem } from '../src/native/addon.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { expectClose } from './models-fixture.js';
import { countKernelCalls, withoutKernels } from './ops-kernels.js';

/** loss, dL/dv, dL/dz at B = 24, D = 16, 5 classes */
function lossAndGrads(loss: typeof cscLoss, calibrated: boolean): Float32Array[] {
  return tf.tidy(() => {
    const v = tf.abs(tf.randomNormal([24, 16], 0, 1, 'float32', 1)) as tf.Tensor2D;
    const z = tf.randomNormal([24, 16], 0, 1, 'float32', 2) as tf.Tensor2D;
    const a = tf.abs(tf.randomNormal([24, 16], 0, 1, 'float32', 3)) as tf.Tensor2D;
    const labels = tf.tensor1d(Array.from({ length: 24 }, (_, i) => (i * 3) % 5), 'int32');
    const { value, grads } = tf.valueAndGrads((vv: tf.Tensor, zz: tf.Tensor) => loss(vv as tf.Tensor2D, zz as tf.Tensor2D, a, labels, { theta: 0.1, calibrated }))([v, z]);
    return [value, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

describe.skipIf(addonProblem() !== undefined).each(TEST_BACKENDS)('CSC op on %s', (backend) => {
  for (const calibrated of [true, false]) {
    it(`the kernel = the composed twin${calibrated ? '' : ' (uncalibrated)'}: loss, dL/dv, dL/dz`, async () => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      const { result: kernel, calls } = countKernelCalls(CscLoss, () => lossAndGrads(cscLoss, calibrated));
      const composed = lossAndGrads(cscLossComposed, calibrated);
      expect(tf.memory().numTensors, 'no tensor left behind').toBe(before);
      expect(calls, 'one call gives the loss and both gradients').toBe(1);
      ['loss', 'dv', 'dz'].forEach((what, i) => expectClose(kernel[i]!, composed[i]!, 1e-5, what));
      expect(kernel[1]!.some((x) => x !== 0)).toBe(true);
    });
  }

  it('on a backend without the kernel the op computes the composed twin', async () => {
    await useBackend(backend);
    const composed = lossAndGrads(cscLossComposed, true);
    const fallback = withoutKernels([CscLoss], () => lossAndGrads(cscLoss, true));
    fallback.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(composed[i]!)));
  });
});
