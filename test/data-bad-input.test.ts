// Every kind of bad input ends in one line naming the file and the fault; per-sample faults are
// skipped (listed / warning events) or fatal with onBadSample 'fail'; nothing usable is an error.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../src/data/annotation.js';
import { openDataset } from '../src/data/dataset.js';
import { ingestDataset } from '../src/data/ingest.js';
import { inspectDataset } from '../src/data/inspect.js';
import { createLoader } from '../src/data/loader.js';
import { encodeNpy } from '../src/data/npy.js';
import { readFrameBytes, writeJpegVideo } from '../src/native/decode.js';
import { miniDir, removeTempDirs, tempDir } from './data-helpers.js';

const hasMini = existsSync(miniDir);
if (!hasMini) console.warn('data-bad-input: ../shared/fixtures/ucf51-mini is absent, tests skipped');
afterAll(removeTempDirs);

function copyMini(): string {
  const dir = tempDir();
  cpSync(miniDir, dir, { recursive: true });
  return dir;
}
const videoOf = (dir: string, id: string) => join(dir, 'video_set_4fps', `${id}.hdf5`);
const featureOf = (dir: string, id: string) => join(dir, 'audio_features', `${id}.npy`);

function setAnnotation(dir: string, edit: (a: { labels: string[]; database: Record<string, { subset: string; label: string }> }) => void) {
  const path = join(dir, 'annotation.json');
  const a = JSON.parse(readFileSync(path, 'utf8'));
  edit(a);
  writeFileSync(path, JSON.stringify(a));
}

/** Rewrites a video with frame `index` replaced by garbage bytes. */
async function corruptFrame(dir: string, id: string, frames: number, index: number) {
  const jpegs = Array.from({ length: frames }, (_, i) => readFrameBytes(videoOf(miniDir, id), i));
  jpegs[index] = Uint8Array.from({ length: 500 }, (_, i) => (i * 37) & 0xff);
  await writeJpegVideo(videoOf(dir, id), jpegs);
}

describe.skipIf(!hasMini)('bad input', () => {
  it('a file that is not HDF5', async () => {
    const dir = copyMini();
    writeFileSync(videoOf(dir, 'v_Archery_g01_c01'), 'not hdf5 at all');
    const d = await openDataset(dir);
    expect(d.problems.map((p) => p.message)).toEqual([`${videoOf(dir, 'v_Archery_g01_c01')}: not an HDF5 file`]);
    expect(d.skipped).toBe(1);
  });

  it('an empty video', async () => {
    const dir = copyMini();
    await writeJpegVideo(videoOf(dir, 'v_Bowling_g01_c01'), []);
    const d = await openDataset(dir);
    expect(d.problems.map((p) => p.message)).toEqual([`${videoOf(dir, 'v_Bowling_g01_c01')}: empty video (0 frames)`]);
  });

  it('a .npy of the wrong shape or dtype', async () => {
    const dir = copyMini();
    writeFileSync(featureOf(dir, 'v_Archery_g01_c02'), encodeNpy(new Float32Array(256), [256]));
    writeFileSync(featureOf(dir, 'v_Bowling_g01_c02'), encodeNpy(new Float32Array(512), [2, 256]));
    const f8 = Buffer.from(encodeNpy(new Float32Array(1024), [512]));
    f8.write("'<f8'", f8.indexOf("'<f4'"));
    writeFileSync(featureOf(dir, 'v_PlayingCello_g01_c02'), f8);
    const d = await openDataset(dir);
    const messages = d.problems.map((p) => p.message).sort();
    expect(messages).toEqual([
      `${featureOf(dir, 'v_Archery_g01_c02')}: shape (256,), expected (512,) like the other teacher features`,
      `${featureOf(dir, 'v_Bowling_g01_c02')}: shape (2, 256), expected (D,) for a teacher feature`,
      `${featureOf(dir, 'v_PlayingCello_g01_c02')}: dtype '<f8', expected float32 ('<f4')`,
    ]);
  });

  it('a missing video, a missing feature, an id with no files, an unknown label', async () => {
    const dir = copyMini();
    rmSync(videoOf(dir, 'v_Archery_g01_c01'));
    rmSync(featureOf(dir, 'v_Bowling_g01_c01'));
    setAnnotation(dir, (a) => {
      a.database.v_Ghost_g01_c01 = { subset: 'training', label: 'Archery' };
      a.database.v_PlayingCello_g01_c01.label = 'PlayingViola';
    });
    const d = await openDataset(dir);
    const annotation = join(dir, 'annotation.json');
    expect(d.problems.map((p) => p.message).sort()).toEqual(
      [
        `${videoOf(dir, 'v_Archery_g01_c01')}: missing video file`,
        `${featureOf(dir, 'v_Bowling_g01_c01')}: missing teacher feature`,
        `${annotation}: 'v_Ghost_g01_c01' has no files (no video_set_4fps/v_Ghost_g01_c01.hdf5, no audio_features/v_Ghost_g01_c01.npy)`,
        `${annotation}: 'v_PlayingCello_g01_c01' has unknown label 'PlayingViola' (not in "labels")`,
      ].sort(),
    );
    expect(d.videos('training')).toHaveLength(3);
    await expect(openDataset(dir, { onBadSample: 'fail' })).rejects.toThrow(DatasetError);
  });

  it('a video shorter than a clip is a warning naming the file; the clip loops', async () => {
    const d = await openDataset(miniDir, { clipLength: 16 });
    expect(d.problems.filter((p) => p.severity === 'warning').map((p) => p.file)).toContain(videoOf(miniDir, 'v_Archery_g01_c03'));
    const loader = createLoader(d, { subset: 'validation', mode: 'test', batchSize: 4, clipLength: 16, size: 16, seed: 1 });
    const batches = [];
    for await (const b of loader) batches.push(b);
    expect(batches[0].shape).toEqual([3, 16, 16, 16, 3]);
  });

  it('a corrupt JPEG inside an HDF5: inspect names file and frame; the loader skips it with a warning or fails', async () => {
    const dir = copyMini();
    await corruptFrame(dir, 'v_Bowling_g01_c02', 31, 7);
    const file = videoOf(dir, 'v_Bowling_g01_c02');
    const report = await inspectDataset(dir);
    const error = report.problems.find((p) => p.severity === 'error');
    expect(error?.message).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}: frame 7: corrupt JPEG \\(`));

    const d = await openDataset(dir); // shallow: frame 0 is fine, so the fault shows while decoding
    const options = { subset: 'training' as const, mode: 'test' as const, batchSize: 64, clipLength: 8, size: 16, seed: 1 };
    const loader = createLoader(d, options);
    let clips = 0;
    for await (const b of loader) clips += b.shape[0];
    const warnings = loader.takeWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(/v_Bowling_g01_c02\.hdf5: frame 7: corrupt JPEG/);
    expect(loader.stats().skippedClips).toBeGreaterThan(0);
    expect(clips + loader.stats().skippedClips).toBe(d.videos('training').reduce((s, v) => s + Math.floor(v.frameCount / 8), 0));

    const strict = createLoader(d, { ...options, onBadSample: 'fail' });
    await expect(async () => {
      for await (const b of strict) void b;
    }).rejects.toThrow(/v_Bowling_g01_c02\.hdf5: frame 7: corrupt JPEG/);
  });

  it('a dataset with nothing usable is an error', async () => {
    const dir = copyMini();
    rmSync(join(dir, 'audio_features'), { recursive: true });
    await expect(openDataset(dir)).rejects.toThrow(/no usable videos \(9 annotated, 10 problems; first: .*audio_features: folder not found \(expected <id>\.npy teacher features\)/);
    const dir2 = copyMini();
    setAnnotation(dir2, (a) => {
      a.labels = ['Nothing'];
    });
    await expect(openDataset(dir2)).rejects.toThrow(new RegExp(`${dir2}: no usable videos \\(9 annotated, 9 problems; first: .*unknown label`));
  });

  it('a missing or broken annotation.json names the file', async () => {
    const dir = copyMini();
    writeFileSync(join(dir, 'annotation.json'), '{"labels": [}');
    await expect(openDataset(dir)).rejects.toThrow(new RegExp(`annotation\\.json: not valid JSON`));
    rmSync(join(dir, 'annotation.json'));
    await expect(openDataset(dir)).rejects.toThrow(/annotation\.json: annotation file not found/);
  });

  it('an unreadable raw video: skipped with its name, or fatal', async () => {
    const videos = tempDir();
    cpSync(join(miniDir, 'raw'), videos, { recursive: true });
    writeFileSync(join(videos, 'v_Archery_g03_c01.avi'), 'RIFF....AVI garbage');
    const out = tempDir();
    const summary = await ingestDataset({ videos, out });
    expect(summary.videos).toBe(2);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0]).toMatch(/v_Archery_g03_c01\.avi: unreadable video/);
    await expect(ingestDataset({ videos, out: tempDir(), onBadSample: 'fail' })).rejects.toThrow(/v_Archery_g03_c01\.avi: unreadable video/);
  });
});
