// The console's embedded default dataset: a small synthetic dataset generated on first use into
// the user's cache folder ($XDG_CACHE_HOME/mnf-tui or ~/.cache/mnf-tui), written to a temporary
// folder and renamed, so an interrupted generation is never used.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SEED_LAYOUT } from './dataset.js';
import { makeSynthetic, type SyntheticOptions } from './synthetic.js';

/** Bump when the generator's output changes, so old caches are not reused. */
const VERSION = 2; // 2: teacher_truth.json
export const DEFAULT_DATASET: Omit<SyntheticOptions, 'out'> = {
  classes: 6,
  videosPerClass: 12,
  frames: 24,
  size: 112,
  noise: 0.2,
  partial: 0.1,
  seed: 3,
};

export function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mnf-tui');
}

export function defaultDatasetDir(): string {
  return join(cacheDir(), `synthetic-default-v${VERSION}`);
}

/** Generates the default dataset when absent; resolves with its folder. */
export async function ensureDefaultDataset(onProgress?: (done: number, total: number) => void): Promise<string> {
  const dir = defaultDatasetDir();
  if (existsSync(join(dir, SEED_LAYOUT.annotation))) return dir;
  const temp = `${dir}.partial-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  await makeSynthetic({ ...DEFAULT_DATASET, out: temp, onProgress });
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  return dir;
}
