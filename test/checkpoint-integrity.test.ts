import { spawnSync } from 'node:child_process';
import { cpSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/select.js';
import { CheckpointError, readCheckpoint, verifyCheckpoint, writeCheckpoint } from '../src/train/checkpoint.js';
import { metaFor, smallConfig, tempDirs, trainedState } from './checkpoint-fixture.js';

const root = join(__dirname, '..');
const temp = tempDirs();
let written: string;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], { encoding: 'utf8', cwd: root, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the written checkpoint and the path of one of its data files. */
function copy(role: 'model' | 'training'): { dir: string; file: string } {
  const dir = join(temp.make(), 'checkpoint-last');
  cpSync(written, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  return { dir, file: join(dir, manifest.files[role].file) };
}

/** Overwrites 4000 bytes in the middle of a file (the size stays). */
function corruptMiddle(file: string): void {
  const size = statSync(file).size;
  expect(size).toBeGreaterThan(8000);
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(4000, 0x5a), 0, 4000, Math.floor(size / 2) - 2000);
  closeSync(fd);
}

function thrown(dir: string): Error {
  try {
    readCheckpoint(dir);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`readCheckpoint(${dir}) did not throw`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  await initBackend('cpu');
  const config = smallConfig();
  written = join(temp.make(), 'checkpoint-last');
  writeCheckpoint(written, metaFor(config, 2), await trainedState(config));
}, 60_000);
afterAll(() => temp.cleanup());

describe('checkpoint integrity', () => {
  it.each(['model', 'training'] as const)('4000 bytes overwritten in the middle of the %s file: readCheckpoint fails in one line naming the file', (role) => {
    const { dir, file } = copy(role);
    expect(() => readCheckpoint(dir)).not.toThrow();
    corruptMiddle(file);
    const err = thrown(dir);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.message).toMatch(new RegExp(`^checkpoint ${escape(file)}: sha256 mismatch \\(file changed after it was written\\)`));
    expect(err.message).not.toContain('\n');
    expect(() => verifyCheckpoint(dir)).toThrow(/sha256 mismatch/);
  });

  it('a truncated data file fails naming the file, its size and the size written', () => {
    const { dir, file } = copy('model');
    const size = statSync(file).size;
    truncateSync(file, size - 1000);
    expect(thrown(dir).message).toBe(`checkpoint ${file}: ${size - 1000} bytes, expected ${size} (truncated or changed after it was written)`);
  });

  it('a missing data file fails naming the file', () => {
    const { dir, file } = copy('training');
    rmSync(file);
    expect(thrown(dir).message).toMatch(new RegExp(`^checkpoint ${escape(file)}: missing`));
  });

  it('a manifest whose file entry is damaged fails naming the manifest and the field', () => {
    const { dir } = copy('model');
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    manifest.files.model.sha256 = 'not a digest';
    writeFileSync(path, JSON.stringify(manifest));
    expect(thrown(dir).message).toMatch(new RegExp(`^checkpoint ${escape(path)}: files\\.model\\.sha256: `));
    manifest.files.model.sha256 = '0'.repeat(64);
    manifest.files.model.file = '../elsewhere.safetensors';
    writeFileSync(path, JSON.stringify(manifest));
    expect(thrown(dir).message).toMatch(/files\.model\.file: /);
  });
});

describe('the CLI on a corrupt checkpoint', () => {
  function corruptRun(): { run: string; file: string } {
    const { dir, file } = copy('model');
    const run = join(dir, '..');
    writeFileSync(join(run, 'config.json'), JSON.stringify(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).config));
    corruptMiddle(file);
    return { run, file };
  }
  const line = (file: string) => new RegExp(`checkpoint ${escape(file)}: sha256 mismatch \\(file changed after it was written\\)[^\\n]*\\n$`);

  it('eval --checkpoint prints the one line and exits 1', () => {
    const { run, file } = corruptRun();
    const r = cli(['eval', '--checkpoint', run, '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(line(file));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('train --resume prints the one line and exits 1', () => {
    const { run, file } = corruptRun();
    const r = cli(['train', '--headless', '--resume', run, '--epochs', '3', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(line(file));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const last = JSON.parse(r.stdout.trim().split('\n').filter((l) => l.includes('"error"')).at(-1)!);
    expect(last).toMatchObject({ type: 'error', message: expect.stringContaining(`${file}: sha256 mismatch`) });
  }, 60_000);
});
