// Programmatic API: tests, benchmarks and other tools import from here.
export { tf } from './tf.js';
export { initBackend, type BackendInfo, type BackendName } from './backend/select.js';
export { cscLoss } from './losses/csc.js';
