// The single tfjs-core instance the package uses, with the cpu backend and every gradient
// registered. tfjs-core's Node bundle ships no gradient functions (they live in ESM files Node
// cannot load directly); @tensorflow/tfjs's Node bundle registers all of them into the same
// global registry, so tf.grads works wherever this module is imported.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

if (!tf.getGradient('Conv2D')) createRequire(import.meta.url)('@tensorflow/tfjs');

// tfjs's cpu backend advises installing tfjs-node on its first write; here the advice is the
// 'native' backend (initBackend says so), so the cpu backend is registered without the banner.
const cpuFactory = tf.findBackendFactory('cpu');
if (cpuFactory && !('cpu' in tf.engine().registry)) {
  tf.removeBackend('cpu');
  tf.registerBackend(
    'cpu',
    () => {
      const backend = cpuFactory() as tf.KernelBackend & { firstUse?: boolean };
      backend.firstUse = false;
      return backend;
    },
    1,
  );
}

export { tf };
