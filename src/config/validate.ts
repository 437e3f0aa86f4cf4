// Validation of run configurations from files and flags: every key known, every value of the
// right type, each fault reported in one line that names the source and the key.
import { METHOD_NAMES, type ModelConfig, type RunConfig } from './types.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Rule =
  | { kind: 'string' }
  | { kind: 'string-or-null' }
  | { kind: 'number'; min?: number; max?: number; exclusiveMin?: boolean }
  | { kind: 'integer'; min?: number }
  | { kind: 'boolean' }
  | { kind: 'choice'; choices: readonly string[] }
  | { kind: 'integer-list'; min?: number; length?: number };

const MODEL_RULES: Record<keyof ModelConfig, Rule> = {
  width: { kind: 'number', min: 0, exclusiveMin: true },
  featureDim: { kind: 'integer', min: 1 },
  layers: { kind: 'integer-list', min: 1, length: 4 },
  numClasses: { kind: 'integer', min: 2 },
  teacherDim: { kind: 'integer', min: 1 },
};

const RUN_RULES: Record<Exclude<keyof RunConfig, 'model'>, Rule> = {
  preset: { kind: 'string' },
  method: { kind: 'choice', choices: METHOD_NAMES },
  dataset: { kind: 'string-or-null' },
  clipLength: { kind: 'integer', min: 1 },
  size: { kind: 'integer', min: 8 },
  batch: { kind: 'integer', min: 1 },
  epochs: { kind: 'integer', min: 0 },
  seed: { kind: 'integer', min: 0 },
  theta: { kind: 'number', min: 0 },
  lrStudent: { kind: 'number', min: 0 },
  lrMnf: { kind: 'number', min: 0 },
  weightDecay: { kind: 'number', min: 0 },
  milestones: { kind: 'integer-list', min: 0 },
  lrGamma: { kind: 'number', min: 0 },
  l1Weight: { kind: 'number', min: 0 },
  tripletMargin: { kind: 'number', min: 0 },
  l1Original: { kind: 'boolean' },
  evalEvery: { kind: 'integer', min: 0 },
  retrievalK: { kind: 'integer', min: 1 },
  onBadSample: { kind: 'choice', choices: ['skip', 'fail'] },
};

export const RUN_CONFIG_KEYS = [...Object.keys(RUN_RULES), 'model'] as const;

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

function expectation(rule: Rule): string {
  switch (rule.kind) {
    case 'string':
      return 'a string';
    case 'string-or-null':
      return 'a string or null';
    case 'number':
      return rule.min === undefined ? 'a number' : `a number ${rule.exclusiveMin ? '>' : '>='} ${rule.min}`;
    case 'integer':
      return rule.min === undefined ? 'an integer' : `an integer >= ${rule.min}`;
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${rule.choices.map((c) => `"${c}"`).join(', ')}`;
    case 'integer-list':
      return `${rule.length ? `a list of ${rule.length}` : 'a list of'} integers${rule.min !== undefined ? ` >= ${rule.min}` : ''}`;
  }
}

function valid(rule: Rule, v: unknown): boolean {
  const isInt = (x: unknown, min?: number) => typeof x === 'number' && Number.isInteger(x) && (min === undefined || x >= min);
  switch (rule.kind) {
    case 'string':
      return typeof v === 'string';
    case 'string-or-null':
      return v === null || typeof v === 'string';
    case 'number':
      return (
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (rule.min === undefined || (rule.exclusiveMin ? v > rule.min : v >= rule.min)) &&
        (rule.max === undefined || v <= rule.max)
      );
    case 'integer':
      return isInt(v, rule.min);
    case 'boolean':
      return typeof v === 'boolean';
    case 'choice':
      return typeof v === 'string' && rule.choices.includes(v);
    case 'integer-list':
      return Array.isArray(v) && (rule.length === undefined || v.length === rule.length) && v.every((x) => isInt(x, rule.min));
  }
}

function checkObject(source: string, path: string, value: unknown, rules: Record<string, Rule>, nested: Record<string, Record<string, Rule>>): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${source}: ${path || 'the configuration'} must be a JSON object, got ${show(value)}`);
  }
  for (const [key, v] of Object.entries(value)) {
    const name = path ? `${path}.${key}` : key;
    if (key in nested) {
      checkObject(source, name, v, nested[key], {});
      continue;
    }
    const rule = rules[key];
    if (!rule) {
      const known = [...Object.keys(rules), ...Object.keys(nested)].join(', ');
      throw new ConfigError(`${source}: unknown key '${name}' (known keys: ${known})`);
    }
    if (!valid(rule, v)) throw new ConfigError(`${source}: '${name}' must be ${expectation(rule)}, got ${show(v)}`);
  }
}

export type ConfigOverrides = Partial<Omit<RunConfig, 'model'>> & { model?: Partial<ModelConfig> };

/** Checks a partial configuration (a config file, flags): unknown keys and wrong types throw ConfigError. */
export function validateOverrides(value: unknown, source: string): ConfigOverrides {
  checkObject(source, '', value, RUN_RULES, { model: MODEL_RULES });
  return value as ConfigOverrides;
}

/** Checks a complete configuration: every key present and valid. */
export function validateRunConfig(value: unknown, source: string): RunConfig {
  const config = validateOverrides(value, source) as Partial<RunConfig>;
  for (const key of Object.keys(RUN_RULES)) {
    if (!(key in config)) throw new ConfigError(`${source}: missing key '${key}'`);
  }
  if (!config.model) throw new ConfigError(`${source}: missing key 'model'`);
  for (const key of Object.keys(MODEL_RULES)) {
    if (!(key in config.model)) throw new ConfigError(`${source}: missing key 'model.${key}'`);
  }
  return config as RunConfig;
}
