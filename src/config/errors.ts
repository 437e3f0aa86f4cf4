// A fault in a run configuration (a config file, a preset name, a flag's value): a usage error
// (exit code 2). Apart from the schema so the command line can test for it without loading zod.
export class ConfigError extends Error {
  override name = 'ConfigError';
}
