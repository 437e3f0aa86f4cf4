// Teacher features: a NaN or Inf in one .npy is a per-sample fault naming the file (inspect lists it
// with the count; training skips it with a counted warning, or fails with one line under
// --on-bad-sample fail). An all-zero vector (a silent video) is legal and trains with mnf-csc.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../src/data/annotation.js';
import { openDataset } from '../src/data/dataset.js';
import { formatInspectReport, inspectDataset } from '../src/data/inspect.js';
import { encodeNpy, readNpy } from '../src/data/npy.js';
import { makeSynthetic } from '../src/data/synthetic.js';
import { removeTempDirs, repoRoot, tempDir } from './data-helpers.js';

let dataset: string;
let nanFile: string;
let infFile: string;
let silentFiles: string[];

/** 3 classes × 4 videos; one teacher feature gets two NaNs, one a -Inf, two are all zero. */
beforeAll(async () => {
  dataset = join(tempDir('mnf-teacher-'), 'dataset');
  await makeSynthetic({ out: dataset, classes: 3, videosPerClass: 4, frames: 6, size: 16, seed: 7, valFraction: 0.25 });
  const opened = await openDataset(dataset);
  const training = opened.videos('training');
  [nanFile, infFile] = [training[0]!.teacherPath, training[3]!.teacherPath];
  // two, so that one epoch (7 usable training videos, batches of 3, the last one dropped) trains on one
  silentFiles = [training[1]!.teacherPath, training[2]!.teacherPath];
  const edit = (file: string, change: (x: Float32Array) => void) => {
    const { data, shape } = readNpy(file);
    change(data);
    writeFileSync(file, encodeNpy(data, shape));
  };
  edit(nanFile, (x) => {
    x[5] = NaN;
    x[40] = NaN;
  });
  edit(infFile, (x) => {
    x[0] = -Infinity;
  });
  for (const file of silentFiles) edit(file, (x) => x.fill(0));
}, 60_000);
afterAll(removeTempDirs);

const nanFault = () => `${nanFile}: 2 of 512 values are not finite (NaN; first at index 5), expected a finite teacher feature`;
const infFault = () => `${infFile}: 1 of 512 values are not finite (-Inf; first at index 0), expected a finite teacher feature`;

describe('teacher features that are not finite', () => {
  it('data inspect lists each file as an error, with the count of non-finite values', async () => {
    const report = await inspectDataset(dataset, { deep: false });
    const errors = report.problems.filter((p) => p.severity === 'error');
    expect(errors).toHaveLength(2);
    expect(errors).toEqual(
      expect.arrayContaining([
        { severity: 'error', file: nanFile, message: nanFault() },
        { severity: 'error', file: infFile, message: infFault() },
      ]),
    );
    expect(report.skipped).toBe(2);
    expect(formatInspectReport(report)).toContain(`error: ${nanFault()}`);
  });

  it('skip leaves the samples out and lists them; fail throws the first one line', async () => {
    const skipped = await openDataset(dataset);
    expect(skipped.videos('training').map((v) => v.teacherPath)).not.toContain(nanFile);
    expect(skipped.problems.map((p) => p.message)).toEqual(expect.arrayContaining([nanFault(), infFault()]));
    // a silent video is a legal sample
    expect(skipped.videos('training').map((v) => v.teacherPath)).toEqual(expect.arrayContaining(silentFiles));

    const strict = openDataset(dataset, { onBadSample: 'fail' });
    await expect(strict).rejects.toThrow(DatasetError);
    await expect(openDataset(dataset, { onBadSample: 'fail' })).rejects.toThrow(/\.npy: \d of 512 values are not finite \((NaN|-Inf); first at index \d\), expected a finite teacher feature$/);
  });
});

function train(args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src', 'cli.ts'), 'train', '--headless', '--preset', 'tiny', '--method', 'mnf-csc', '--epochs', '1', '--batch', '3', '--dataset', dataset, ...args],
    { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('training on them (mnf-csc, a silent video in the training set)', () => {
  it('skip: one counted warning per faulty file, finite losses, exit 0', () => {
    const r = train(['--out', join(tempDir('mnf-teacher-run-'), 'run')]);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; message?: string; count?: number; losses?: Record<string, number> });
    const warnings = events.filter((e) => e.type === 'warning' && e.message?.includes('not finite'));
    expect(warnings.map((w) => [w.message, w.count])).toEqual(expect.arrayContaining([[nanFault(), 1], [infFault(), 1]]));
    expect(warnings).toHaveLength(2);
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) for (const [term, value] of Object.entries(s.losses ?? {})) expect(Number.isFinite(value), `${term} = ${value}`).toBe(true);
  }, 150_000);

  it('fail: exit 1 with one line naming the file', () => {
    const r = train(['--on-bad-sample', 'fail', '--out', join(tempDir('mnf-teacher-run-'), 'run')]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.includes('.npy'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .+\.npy: \d of 512 values are not finite/);
    expect([nanFault(), infFault()].some((f) => lines[0]!.endsWith(f))).toBe(true);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 150_000);
});
