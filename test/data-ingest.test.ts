// Raw videos → seed layout with libav inside the addon; the reader accepts the result.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataset } from '../src/data/dataset.js';
import { ingestDataset } from '../src/data/ingest.js';
import { encodeNpy } from '../src/data/npy.js';
import { miniDir, removeTempDirs, repoRoot, tempDir } from './data-helpers.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

const hasMini = existsSync(miniDir);
if (!hasMini) console.warn('data-ingest: ../shared/fixtures/ucf51-mini is absent, tests skipped');
afterAll(removeTempDirs);

describe.skipIf(!hasMini)('data ingest of ucf51-mini/raw', () => {
  // raw/: v_Archery_g01_c01.avi (3.0 s, 25 fps, 320x240), v_Bowling_g02_c01.mp4 (2.0 s, 30 fps, 256x144)
  it('samples 4 fps, scales the short side to 240, and writes a dataset the reader accepts', async () => {
    const out = tempDir();
    const summary = await ingestDataset({ videos: join(miniDir, 'raw'), out, fps: 4, shortSide: 240, labels: 'ucf-name', valGroups: [2, 2] });
    expect(summary).toMatchObject({ videos: 2, frames: 12 + 8, training: 1, validation: 1, classes: ['Archery', 'Bowling'], needsTeacherFeatures: 2 });
    const needs = readFileSync(summary.needsTeacherFeaturesFile, 'utf8').trim().split('\n').map((l) => l.split('\t')[0]);
    expect(needs.sort()).toEqual(['v_Archery_g01_c01', 'v_Bowling_g02_c01']);

    // the teacher features come from elsewhere; once present, the reader takes the dataset
    mkdirSync(join(out, 'audio_features'), { recursive: true });
    for (const id of needs) writeFileSync(join(out, 'audio_features', `${id}.npy`), encodeNpy(new Float32Array(512).fill(0.5), [512]));
    const d = await openDataset(out);
    expect(d.problems).toEqual([]);
    const [archery] = d.videos('training');
    const [bowling] = d.videos('validation');
    expect({ id: archery.id, frames: archery.frameCount, w: archery.width, h: archery.height }).toEqual({ id: 'v_Archery_g01_c01', frames: 12, w: 320, h: 240 });
    expect({ id: bowling.id, frames: bowling.frameCount, w: bowling.width, h: bowling.height }).toEqual({ id: 'v_Bowling_g02_c01', frames: 8, w: 428, h: 240 });
  });

  it('the CLI prints the summary as JSON and names skipped videos', () => {
    const videos = tempDir();
    writeFileSync(join(videos, 'v_Archery_g01_c01.avi'), readFileSync(join(miniDir, 'raw', 'v_Archery_g01_c01.avi')));
    writeFileSync(join(videos, 'v_Archery_g02_c01.mp4'), 'not a video');
    writeFileSync(join(videos, 'notes.txt'), 'hello');
    const out = tempDir();
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli.ts'), 'data', 'ingest', '--videos', videos, '--out', out, '--val-fraction', '0', '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ videos: 1, frames: 12, training: 1, validation: 0, ignored: [join(videos, 'notes.txt')] });
    expect(summary.failed).toEqual([`${join(videos, 'v_Archery_g02_c01.mp4')}: unreadable video (Invalid data found when processing input)`]);
  });

  it('--labels folder takes the class from the parent folder; --fps changes the count', async () => {
    const videos = tempDir();
    mkdirSync(join(videos, 'Shooting'));
    writeFileSync(join(videos, 'Shooting', 'clip one.avi'), readFileSync(join(miniDir, 'raw', 'v_Archery_g01_c01.avi')));
    const out = tempDir();
    const summary = await ingestDataset({ videos, out, fps: 2, shortSide: 120, labels: 'folder', valFraction: 0 });
    expect(summary).toMatchObject({ videos: 1, frames: 6, classes: ['Shooting'], training: 1 });
    const annotation = JSON.parse(readFileSync(join(out, 'annotation.json'), 'utf8'));
    expect(annotation).toEqual({ labels: ['Shooting'], database: { 'clip_one': { subset: 'training', label: 'Shooting' } } });
  });
});
