// The typed run configuration, inferred from the schema (schema.ts). A run folder's config.json
// is exactly a RunConfig.
export { METHOD_NAMES, ON_BAD_SAMPLE_POLICIES, MIN_BATCH, PRECISIONS } from './schema.js';
export type { ConfigOverrides, MethodName, ModelConfig, RunConfig } from './schema.js';
