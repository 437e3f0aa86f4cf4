// The seed-layout reader and `data inspect` on ../shared/fixtures/ucf51-mini against its truth.json.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataset } from '../src/data/dataset.js';
import { inspectDataset } from '../src/data/inspect.js';
import { miniDir, removeTempDirs, repoRoot, tempDir } from './data-helpers.js';

const hasMini = existsSync(miniDir);
if (!hasMini) console.warn('data-reader: ../shared/fixtures/ucf51-mini is absent, tests skipped');
afterAll(removeTempDirs);

interface Truth {
  frames: number;
  width: number;
  height: number;
  label: string;
  subset: string;
}

describe.skipIf(!hasMini)('seed-layout reader on ucf51-mini', () => {
  const truth = hasMini ? (JSON.parse(readFileSync(join(miniDir, 'truth.json'), 'utf8')) as Record<string, Truth>) : {};

  it('frame counts, sizes, labels and subsets match truth.json', async () => {
    const dataset = await openDataset(miniDir);
    const records = [...dataset.videos('training'), ...dataset.videos('validation')];
    expect(records.map((r) => r.id).sort()).toEqual(Object.keys(truth).sort());
    for (const r of records) {
      const t = truth[r.id];
      expect({ frames: r.frameCount, width: r.width, height: r.height, label: r.className, subset: r.subset }, r.id).toEqual({
        frames: t.frames,
        width: t.width,
        height: t.height,
        label: t.label,
        subset: t.subset,
      });
      expect(dataset.classNames[r.label]).toBe(t.label);
    }
    expect(dataset.teacherDim).toBe(512);
    expect(dataset.teacher(records[0])).toHaveLength(512);
    expect(dataset.problems).toEqual([]);
  });

  it('finds teacher features in class folders, case-insensitively, ignoring macOS ._ files', async () => {
    const dir = tempDir();
    cpSync(miniDir, dir, { recursive: true });
    const features = join(dir, 'audio_features');
    for (const file of readdirSync(features)) {
      const id = file.replace(/\.npy$/, '');
      const folder = join(features, truth[id].label.toLowerCase());
      mkdirSync(folder, { recursive: true });
      renameSync(join(features, file), join(folder, file));
      writeFileSync(join(folder, `._${file}`), 'AppleDouble junk');
    }
    const dataset = await openDataset(dir);
    expect(dataset.videos('training').length + dataset.videos('validation').length).toBe(Object.keys(truth).length);
    expect(dataset.problems).toEqual([]);
  });

  it('accepts configured folder names', async () => {
    const dir = tempDir();
    cpSync(miniDir, dir, { recursive: true });
    renameSync(join(dir, 'video_set_4fps'), join(dir, 'frames'));
    renameSync(join(dir, 'audio_features'), join(dir, 'teacher'));
    const dataset = await openDataset(dir, { layout: { videos: 'frames', features: 'teacher' } });
    expect(dataset.videos('validation')).toHaveLength(3);
  });

  it('`data inspect --json` reports counts per subset and class, frames, size, teacher dim', async () => {
    const report = await inspectDataset(miniDir);
    expect(report.subsets.training.videos).toBe(6);
    expect(report.subsets.validation.perClass).toEqual({ Archery: 1, Bowling: 1, PlayingCello: 1 });
    const counts = Object.values(truth).map((t) => t.frames).sort((a, b) => a - b);
    expect(report.frames).toEqual({ min: counts[0], median: counts[4], max: counts[8] });
    expect(report.frameSize).toEqual({ width: 320, height: 240 });
    expect(report.teacherDim).toBe(512);
    // the 11-frame validation videos are shorter than a 16-frame clip: warnings naming the file
    expect(report.problems.map((p) => p.severity)).toEqual(['warning', 'warning', 'warning']);
    expect(report.problems[0].message).toMatch(/_g01_c03\.hdf5: 11 frames, shorter than a 16-frame clip/);
  });

  it('the CLI prints one JSON document', () => {
    const cli = join(repoRoot, 'src/cli.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'data', 'inspect', '--dataset', miniDir, '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: process.env,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.usable).toBe(9);
    expect(doc.classes).toEqual(['Archery', 'Bowling', 'PlayingCello']);
  });
});
