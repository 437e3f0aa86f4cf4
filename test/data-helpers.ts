// Shared by the data tests: where ../shared lives, temporary folders, a tiny synthetic dataset.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const sharedDir = join(repoRoot, '..', 'shared');
export const miniDir = join(sharedDir, 'fixtures', 'ucf51-mini');

const made: string[] = [];
export function tempDir(prefix = 'mnf-data-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export function removeTempDirs() {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
