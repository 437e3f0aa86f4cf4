// tfjs-core's Node bundle ships no gradient functions (they live in ESM files Node cannot load
// directly); @tensorflow/tfjs's Node bundle registers all of them into the same global registry.
// Import this module (for its side effect) wherever tf.variableGrads / tf.grads is used.
import { createRequire } from 'node:module';
import { tf } from '../tf.js';

if (!tf.getGradient('Conv2D')) createRequire(import.meta.url)('@tensorflow/tfjs');
