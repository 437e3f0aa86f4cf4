// An .hdf5 video the OS refuses to read, or one libhdf5 cannot open, is one line naming the file
// (with the OS's reason where there is one) and no HDF5-DIAG error-stack dump on stderr, from any
// decode thread. Runs the CLI in a child process, as a user would.
//   - an I/O error: the video is a link to /proc/self/mem (reading its offset 0 fails with EIO,
//     for root too);
//   - a permission error: chmod 000, read as user `nobody` through setpriv when the tests run as root;
//   - a corrupt file: truncated, so libhdf5 itself fails;
//   - a folder where the file should be.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSynthetic } from '../src/data/synthetic.js';
import { removeTempDirs, repoRoot, tempDir } from './data-helpers.js';

afterAll(removeTempDirs);

const isRoot = process.getuid?.() === 0;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
const asNobody = isRoot && setpriv !== undefined ? [setpriv, '--reuid=nobody', '--regid=nogroup', '--clear-groups'] : [];
const canDenyReads = !isRoot || asNobody.length > 0;

/** A synthetic dataset (4 classes × 3 videos) whose videos except the first get `spoil`. */
async function datasetWith(spoil: (video: string) => void): Promise<{ dir: string; spoiled: string[] }> {
  const root = tempDir('mnf-hdf5-');
  const dir = join(root, 'dataset');
  await makeSynthetic({ out: dir, classes: 4, videosPerClass: 3, frames: 4, size: 16, seed: 3 });
  const videos = join(dir, 'video_set_4fps');
  const spoiled = readdirSync(videos).sort().slice(1).map((name) => join(videos, name));
  for (const video of spoiled) spoil(video);
  return { dir, spoiled };
}

function cli(args: string[], prefix: string[] = []) {
  const command = [...prefix, process.execPath, '--import', 'tsx', join(repoRoot, 'src', 'cli.ts'), ...args];
  const r = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** inspect lists `fault` for every spoiled video, once each, and stderr has no libhdf5 dump. */
function expectInspectLists(dir: string, spoiled: string[], fault: string, prefix: string[] = []) {
  const r = cli(['data', 'inspect', '--dataset', dir], prefix);
  expect(r.stderr).not.toContain('HDF5-DIAG');
  expect(r.stderr).not.toMatch(/H5[A-Z]\w*\.c line/);
  for (const video of spoiled) {
    const lines = r.stdout.split('\n').filter((l) => l.includes(video));
    expect(lines, video).toEqual([`    error: ${video}: ${fault}`]);
  }
}

describe('an unreadable .hdf5 video', () => {
  let io: { dir: string; spoiled: string[] };
  beforeAll(async () => {
    io = await datasetWith((video) => {
      rmSync(video);
      symlinkSync('/proc/self/mem', video);
    });
  }, 60_000);

  it('an I/O error: inspect gives one line per file with the OS reason, no HDF5-DIAG', () => {
    expectInspectLists(io.dir, io.spoiled, 'cannot be read (Input/output error)');
  }, 60_000);

  it('training with --on-bad-sample fail stops with one line naming the file and the reason', () => {
    const r = cli(['train', '--headless', '--preset', 'tiny', '--epochs', '1', '--dataset', io.dir, '--on-bad-sample', 'fail', '--out', join(tempDir('mnf-hdf5-run-'), 'run')]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('HDF5-DIAG');
    const lines = r.stderr.split('\n').filter((l) => l.includes('.hdf5'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .+\.hdf5: cannot be read \(Input\/output error\)$/);
    expect(io.spoiled.some((video) => lines[0]!.includes(video))).toBe(true);
  }, 60_000);

  it.skipIf(!canDenyReads)('no permission: inspect names the file with "Permission denied", no HDF5-DIAG', async () => {
    const denied = await datasetWith((video) => chmodSync(video, 0o000));
    // the reading user (`nobody` when root) must reach the dataset through its temporary folder (0700)
    chmodSync(join(denied.dir, '..'), 0o755);
    expectInspectLists(denied.dir, denied.spoiled, 'cannot be read (Permission denied)', asNobody);
  }, 60_000);

  it('a corrupt (truncated) file: one line per file, no HDF5-DIAG from any decode thread', async () => {
    const corrupt = await datasetWith((video) => truncateSync(video, 1000));
    expectInspectLists(corrupt.dir, corrupt.spoiled, 'HDF5 file cannot be opened (corrupt?)');
  }, 60_000);

  it('a folder where the file should be: says so', async () => {
    const folders = await datasetWith((video) => {
      rmSync(video);
      mkdirSync(video);
    });
    expectInspectLists(folders.dir, folders.spoiled, 'not a regular file (a folder)');
  }, 60_000);
});
