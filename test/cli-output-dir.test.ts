// Output locations (--out) are checked before anything is written: a location that cannot hold
// the output fails at once, in one line naming the flag and the OS's reason.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/commands/args.js';
import { PATH_MAX, prepareOutputDir } from '../src/commands/output-dir.js';
import { cli, ROOT } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'mnf-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'a-file');
writeFileSync(file, 'keep me');
/** a path of `bytes` under dir/name, in components of 200 bytes: only its length can be wrong */
function pathOf(name: string, bytes: number): string {
  let path = join(dir, name);
  while (path.length + 201 < bytes) path = join(path, 'd'.repeat(200));
  return join(path, 'e'.repeat(bytes - path.length - 1));
}
const longPath = pathOf('long', 4070);
const prepare = (path: string) => prepareOutputDir(path, '--out', { longestEntry: 64 });

describe('prepareOutputDir', () => {
  it('creates missing folders one by one and leaves no probe file behind', () => {
    const out = join(dir, 'new', 'a', 'b');
    expect(prepare(out)).toBe(out);
    expect(readdirSync(out)).toEqual([]);
    expect(prepare(out)).toBe(out); // an existing empty folder is fine too
  });

  it.each([
    ['/proc/x (mkdir says ENOENT there; recursive mkdirSync loops forever)', '/proc/x', /^--out \/proc\/x: cannot create a folder there \(ENOENT: .*\/proc exists/],
    ['a folder under /proc/x', '/proc/x/y/z', /^--out \/proc\/x\/y\/z: cannot create a folder there \(ENOENT: /],
    ['an existing file', file, /^--out .*a-file: is a file, not a folder$/],
    ['a folder under a file', join(file, 'sub'), /^--out .*a-file\/sub: .*a-file is a file, not a folder$/],
    ['a 4070-byte path', longPath, new RegExp(`^--out .*: path too long: 4070 bytes, plus up to 65 .* the limit of ${PATH_MAX - 1} \\(ENAMETOOLONG\\)$`)],
    ['a 300-byte folder name', join(dir, 'n'.repeat(300)), /: a folder name is 300 bytes long; the limit is 255 \(ENAMETOOLONG\)$/],
  ])('%s: one line, a usage error, nothing written', (_name, path, message) => {
    let error: unknown;
    try {
      prepare(path);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    expect(existsSync('/proc/x')).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(existsSync(join(dir, 'long'))).toBe(false);
  });

  it('the longest entry counts: a path that leaves it room is created, one byte more is refused', () => {
    const fits = pathOf('fits', PATH_MAX - 1 - 65);
    expect(prepare(fits)).toBe(fits);
    const over = pathOf('over', PATH_MAX - 1 - 64);
    expect(() => prepare(over)).toThrow(/path too long/);
    expect(existsSync(join(dir, 'over'))).toBe(false);
  });
});

describe('data make-synthetic and data ingest check --out first', () => {
  const videos = join(dir, 'videos');
  mkdirSync(videos);
  it.each([
    ['make-synthetic', ['data', 'make-synthetic']],
    ['ingest', ['data', 'ingest', '--videos', videos]],
  ])('%s --out /proc/x, an existing file, a 4070-byte path: exit 2, one line', (_name, command) => {
    for (const [out, message] of [
      ['/proc/x', /^mnf-tui: --out \/proc\/x: cannot create a folder there \(ENOENT: /],
      [file, /^mnf-tui: --out .*a-file: is a file, not a folder$/],
      [longPath, /^mnf-tui: --out .*: path too long: 4070 bytes/],
    ] as const) {
      // a timeout instead of an answer is the bug (recursive mkdirSync spinning under /proc)
      const r = cli([...command, '--out', out]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    }
    expect(existsSync(join(dir, 'long'))).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  }, 120_000);
});

// A read-only location. chmod does not stop root, so as root the command runs in a private mount
// namespace where the folder is bind-mounted read-only (a real EROFS); otherwise a 0555 folder.
const readOnly = join(dir, 'read-only');
mkdirSync(readOnly);
const asRoot = process.getuid?.() === 0;
const REMOUNT = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && shift && exec "$@"';
const namespaceWorks =
  asRoot && spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', REMOUNT, readOnly, 'x', 'true'], { encoding: 'utf8' }).status === 0;
if (!asRoot) chmodSync(readOnly, 0o555);

function cliReadOnly(args: string[]) {
  if (!asRoot) return cli(args);
  const node = [process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args];
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', REMOUNT, readOnly, 'x', ...node], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(asRoot && !namespaceWorks)(`a read-only location (${asRoot ? 'root: a read-only bind mount' : 'a 0555 folder'})`, () => {
  it.each([
    ['a new folder in it', join(readOnly, 'new'), /cannot create a folder there \((EROFS: read-only file system|EACCES: permission denied)\)$/],
    ['the folder itself', readOnly, /cannot write a file there \((EROFS: read-only file system|EACCES: permission denied)\)$/],
  ])('data make-synthetic --out %s: exit 2, one line naming the flag and the reason', (_name, out, message) => {
    const r = cliReadOnly(['data', 'make-synthetic', '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^mnf-tui: --out ${out}: ${message.source}`))]);
    expect(readdirSync(readOnly)).toEqual([]);
  }, 60_000);
});
