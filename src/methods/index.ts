export { METHODS, getMethod } from './registry.js';
export type { MethodDefinition, MethodHead, MethodInputs, MethodLosses } from './types.js';
