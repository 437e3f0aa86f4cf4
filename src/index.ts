// Programmatic API: tests, benchmarks and other tools import from here.
export { tf } from './tf.js';
export { initBackend, type BackendInfo, type BackendName } from './backend/select.js';
export { cscLoss } from './losses/csc.js';
export { createTrainer } from './train/trainer.js';
export { resolveConfig, PRESET_NAMES } from './config/presets.js';
export { R2Plus1D, Mnf } from './models/index.js';
export { METHODS, getMethod } from './methods/index.js';
