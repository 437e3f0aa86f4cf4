// Validation of run configurations from files and flags against the schema (schema.ts): the
// first fault becomes one line that names the source (the file, or the flag) and the key.
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { PRESET_NAMES } from './presets.js';
import { ConfigOverridesSchema, RunConfigSchema, type ConfigOverrides, type RunConfig } from './schema.js';

export { ConfigError };
export type { ConfigOverrides };

type Fault =
  | { kind: 'unknown'; key: string; known: string[] }
  | { kind: 'missing'; key: string }
  | { kind: 'invalid'; key: string; expected: string; got: unknown };

/** The keys an object schema knows at `keys` (through optional and nullable wrappers). */
function knownKeys(schema: z.ZodType, keys: string[]): string[] {
  let s: z.ZodType | undefined = schema;
  const unwrap = (t: z.ZodType | undefined) => {
    while (t instanceof z.ZodOptional || t instanceof z.ZodNullable) t = t.unwrap() as z.ZodType;
    return t;
  };
  for (const key of keys) {
    const object = unwrap(s);
    s = object instanceof z.ZodObject ? (object.shape as Record<string, z.ZodType>)[key] : undefined;
  }
  const object = unwrap(s);
  return object instanceof z.ZodObject ? Object.keys(object.shape) : [];
}

function valueAt(value: unknown, keys: string[]): { present: boolean; value: unknown } {
  let v = value;
  for (const key of keys) {
    if (typeof v !== 'object' || v === null || !(key in v) || (v as Record<string, unknown>)[key] === undefined) return { present: false, value: undefined };
    v = (v as Record<string, unknown>)[key];
  }
  return { present: true, value: v };
}

function firstFault(schema: z.ZodType, value: unknown): Fault | undefined {
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  // a list's fault is its key's (the list's phrase), not its element's index
  const cut = issue.path.findIndex((p) => typeof p !== 'string');
  const keys = (cut < 0 ? issue.path : issue.path.slice(0, cut)) as string[];
  const key = keys.join('.');
  if (issue.code === 'unrecognized_keys') {
    return { kind: 'unknown', key: [...keys, issue.keys[0]].join('.'), known: knownKeys(schema, keys) };
  }
  const at = valueAt(value, keys);
  if (keys.length > 0 && !at.present) return { kind: 'missing', key };
  const expected = issue.code === 'invalid_type' && issue.expected === 'object' ? 'a JSON object' : issue.message;
  return { kind: 'invalid', key, expected, got: at.value };
}

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

/** `source: …` with the key quoted: a config file (or another named source). */
function fileMessage(source: string, fault: Fault): string {
  switch (fault.kind) {
    case 'unknown':
      return `${source}: unknown key '${fault.key}' (known keys: ${fault.known.join(', ')})`;
    case 'missing':
      return `${source}: missing key '${fault.key}'`;
    case 'invalid':
      return fault.key === ''
        ? `${source}: the configuration must be ${fault.expected}, got ${show(fault.got)}`
        : `${source}: '${fault.key}' must be ${fault.expected}, got ${show(fault.got)}`;
  }
}

/** Train's flags are the config keys in kebab case (evalEvery ↔ --eval-every). */
const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function flagMessage(fault: Fault): string {
  switch (fault.kind) {
    case 'unknown':
      return `${flagOf(fault.key)}: not a configuration flag`;
    case 'missing':
      return `${flagOf(fault.key)}: expected a value`;
    case 'invalid':
      return `${flagOf(fault.key)}: expected ${fault.expected}, got ${show(fault.got)}`;
  }
}

const FileOverridesSchema = ConfigOverridesSchema.extend({
  preset: ConfigOverridesSchema.shape.preset.unwrap().refine((name) => PRESET_NAMES.includes(name), {
    error: `one of ${PRESET_NAMES.map((p) => `"${p}"`).join(', ')}`,
  }),
}).partial();

/** Config files and run folders written before the head's learning rate was named lrHead call it lrMnf. */
export function withCurrentKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('lrMnf' in value) || 'lrHead' in value) return value;
  const { lrMnf, ...rest } = value as Record<string, unknown>;
  return { ...rest, lrHead: lrMnf };
}

/** A complete configuration saved before the data-parallel keys existed trained as one process would. */
function withDataParallelKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('model' in value)) return value;
  return { localCsc: false, syncBn: false, ...value };
}

/** Checks a partial configuration from a file: unknown keys and wrong values throw ConfigError naming the file. */
export function validateOverrides(value: unknown, source: string): ConfigOverrides {
  const current = withCurrentKeys(value);
  const fault = firstFault(FileOverridesSchema, current);
  if (fault) throw new ConfigError(fileMessage(source, fault));
  return current as ConfigOverrides;
}

/** Checks RunConfig keys given as train's flags: a fault names the flag (`--batch: expected …`). */
export function validateFlagOverrides(value: ConfigOverrides): ConfigOverrides {
  const fault = firstFault(ConfigOverridesSchema, value);
  if (fault) throw new ConfigError(flagMessage(fault));
  return value;
}

/** Checks a complete configuration: every key present and valid. */
export function validateRunConfig(value: unknown, source: string): RunConfig {
  const current = withDataParallelKeys(withCurrentKeys(value));
  const fault = firstFault(RunConfigSchema, current);
  if (fault) throw new ConfigError(fileMessage(source, fault));
  return current as RunConfig;
}
