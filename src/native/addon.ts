// The one place that loads the compiled addon. Typed wrappers per capability live beside this file
// and call loadAddon(); nothing else in the package imports the .node file. What it exports is
// checked once, at load, against the one binding type (binding.ts).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindingProblem, type NativeBinding } from './binding.js';

export class NativeAddonMissingError extends Error {
  override name = 'NativeAddonMissingError';
}

let root: string | undefined;

/** The folder holding mnf-tui's package.json (works from src/ under vitest and from dist/). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'mnf-tui') return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('mnf-tui: cannot find the package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** MNF_ADDON overrides the location (for example a build carried to another machine). */
export function addonPath(): string {
  return process.env.MNF_ADDON ?? join(packageRoot(), 'build', 'Release', 'mnf_native.node');
}

let cached: NativeBinding | undefined;
let failure: NativeAddonMissingError | undefined;

/**
 * Loads the addon once and checks it is the binding this code calls; throws NativeAddonMissingError
 * naming the file and the fix when it is absent, does not load, or is stale (ABI version, functions).
 */
export function loadAddon(): NativeBinding {
  if (cached) return cached;
  if (failure) throw failure;
  const path = addonPath();
  if (!existsSync(path)) {
    failure = new NativeAddonMissingError(
      `native addon not found at ${path}: build it with \`npm run build:native\` ` +
        '(needs the system packages listed in scripts/system-packages.json)',
    );
    throw failure;
  }
  // OpenMP threads that spin while idle starve the JS threads and the decode pool on small
  // machines (a training step measured 10x slower); libgomp reads this when the addon loads it.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  let exports: unknown;
  try {
    exports = createRequire(import.meta.url)(path);
  } catch (err) {
    failure = new NativeAddonMissingError(
      `native addon at ${path} failed to load (${(err as Error).message.split('\n')[0]}): ` +
        'rebuild it with `npm run build:native`',
    );
    throw failure;
  }
  const problem = bindingProblem(exports, path);
  if (problem !== undefined) throw (failure = new NativeAddonMissingError(problem));
  return (cached = exports as NativeBinding);
}

/** The load error message, or undefined when the addon loads. */
export function addonProblem(): string | undefined {
  try {
    loadAddon();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
