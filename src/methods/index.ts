export { METHODS, getMethod } from './registry.js';
export { METHOD_TERMS, TERM_LABELS, type LossTerm } from './terms.js';
export { FILTER_SCORE, GATE_BINS, mnfGateStatistics } from './gate-statistics.js';
export type { GateStatistics, GateSummary, MethodDefinition, MethodHead, MethodInputs, MethodLosses } from './types.js';
