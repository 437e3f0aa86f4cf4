// The single tfjs-core instance the package uses, with the cpu backend and every gradient
// registered. tfjs-core's Node bundle ships no gradient functions (they live in ESM files Node
// cannot load directly); @tensorflow/tfjs's Node bundle registers all of them into the same
// global registry, so tf.grads works wherever this module is imported.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

if (!tf.getGradient('Conv2D')) createRequire(import.meta.url)('@tensorflow/tfjs');

export { tf };
