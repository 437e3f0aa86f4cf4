// The one place that loads the compiled addon. Typed wrappers per capability live beside this file
// and call loadAddon(); nothing else in the package imports the .node file.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

let cached: Record<string, unknown> | undefined;
let failure: NativeAddonMissingError | undefined;

/** Loads the addon once; throws NativeAddonMissingError naming the fix when it cannot. */
export function loadAddon<T>(): T {
  if (cached) return cached as T;
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
  try {
    cached = createRequire(import.meta.url)(path) as Record<string, unknown>;
  } catch (err) {
    failure = new NativeAddonMissingError(
      `native addon at ${path} failed to load (${(err as Error).message.split('\n')[0]}): ` +
        'rebuild it with `npm run build:native`',
    );
    throw failure;
  }
  return cached as T;
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
