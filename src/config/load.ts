// Building a RunConfig: a preset, then a JSON config file, then command-line flags, each layer
// validated (unknown keys and wrong values end in one line naming the file or flag).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { PRESET_NAMES, resolveConfig } from './presets.js';
import type { ConfigOverrides, RunConfig } from './schema.js';
import { validateFlagOverrides, validateOverrides, validateRunConfig } from './validate.js';

/** Reads and validates a JSON config file (any subset of RunConfig's keys). */
export function readConfigFile(path: string): ConfigOverrides {
  if (!existsSync(path)) throw new ConfigError(`--config ${path}: file not found`);
  if (!statSync(path).isFile()) throw new ConfigError(`--config ${path}: not a file (expected a JSON config file)`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${path}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const overrides = validateOverrides(value, path);
  // a dataset path in a config file is relative to the file's folder
  if (typeof overrides.dataset === 'string' && !isAbsolute(overrides.dataset)) overrides.dataset = resolve(dirname(path), overrides.dataset);
  return overrides;
}

/** b over a; the model section is merged key by key. */
export function mergeOverrides(a: ConfigOverrides, b: ConfigOverrides): ConfigOverrides {
  const merged: ConfigOverrides = { ...a, ...b };
  if (a.model || b.model) merged.model = { ...a.model, ...b.model };
  return merged;
}

export interface ConfigSources {
  /** --preset; else the config file's preset; else `defaultPreset` */
  preset?: string;
  /** --config */
  configFile?: string;
  /** train's flags already parsed into RunConfig keys (a fault names the flag: `batch` ↔ --batch) */
  flags: ConfigOverrides;
  defaultPreset: string;
}

export function buildRunConfig(sources: ConfigSources): RunConfig {
  if (sources.preset !== undefined && !PRESET_NAMES.includes(sources.preset)) {
    throw new ConfigError(`--preset: expected one of ${PRESET_NAMES.join(', ')}, got '${sources.preset}'`);
  }
  const fromFile = sources.configFile ? readConfigFile(sources.configFile) : {};
  const flags = validateFlagOverrides(sources.flags);
  const preset = sources.preset ?? fromFile.preset ?? sources.defaultPreset;
  const overrides = mergeOverrides(fromFile, flags);
  delete overrides.preset;
  return validateRunConfig(resolveConfig(preset, overrides), sources.configFile ?? `preset ${preset}`);
}
