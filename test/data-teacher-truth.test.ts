// teacher_truth.json: make-synthetic records where each video's teacher feature came from, and the
// record agrees with --noise, --partial and the features written (synthetic and semi-real).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAnnotation } from '../src/data/annotation.js';
import { encodeNpy, parseNpy } from '../src/data/npy.js';
import { formatInspectReport, inspectDataset } from '../src/data/inspect.js';
import { makeSynthetic } from '../src/data/synthetic.js';
import { readTeacherTruth, TEACHER_TRUTH_FILE, teacherGroup, type TeacherTruth } from '../src/data/teacher-truth.js';
import { removeTempDirs, tempDir } from './data-helpers.js';

afterAll(removeTempDirs);

const feature = (dir: string, id: string) => parseNpy(readFileSync(join(dir, 'audio_features', `${id}.npy`)), id).data;
const labelOf = (id: string) => id.split('_')[1]!;

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb + 1e-12);
}

function counts(truth: TeacherTruth) {
  const entries = Object.values(truth.videos);
  return {
    own: entries.filter((v) => v.source === 'own').length,
    other: entries.filter((v) => v.source === 'other').length,
    background: entries.filter((v) => v.source === 'background').length,
    partialChannels: entries.map((v) => v.partialChannels),
  };
}

describe('teacher_truth.json from make-synthetic', () => {
  it('--noise 0 --partial 0: every video has its own class\'s feature, no channel replaced', async () => {
    const out = tempDir();
    const summary = await makeSynthetic({ out, classes: 3, videosPerClass: 4, frames: 1, size: 16, seed: 1 });
    expect(summary.teacherTruth).toBe(join(out, TEACHER_TRUTH_FILE));
    const truth = readTeacherTruth(out)!;
    expect(truth).toMatchObject({ version: 1, noise: 0, partial: 0, teacherDim: 512 });
    const ids = readAnnotation(join(out, 'annotation.json')).entries.map((e) => e.id);
    expect(Object.keys(truth.videos).sort()).toEqual([...ids].sort());
    const c = counts(truth);
    expect([c.own, c.other, c.background]).toEqual([12, 0, 0]);
    expect(new Set(c.partialChannels)).toEqual(new Set([0]));
    expect(Object.values(truth.videos).map(teacherGroup)).toEqual(new Array(12).fill('clean'));
  });

  it('--noise 1 --partial 1: no video keeps its own feature, every channel is replaced', async () => {
    const out = tempDir();
    const summary = await makeSynthetic({ out, classes: 3, videosPerClass: 6, frames: 1, size: 16, noise: 1, partial: 1, seed: 2 });
    const truth = readTeacherTruth(out)!;
    const c = counts(truth);
    expect(c.own).toBe(0);
    expect(c.other + c.background).toBe(18);
    expect(summary.noisyTeacher).toBe(18);
    expect(c.other).toBeGreaterThan(0);
    expect(c.background).toBeGreaterThan(0);
    expect(new Set(c.partialChannels)).toEqual(new Set([512]));
    for (const [id, v] of Object.entries(truth.videos)) {
      if (v.source === 'other') expect(v.fromClass).not.toBe(labelOf(id));
      expect(teacherGroup(v)).toBe('irrelevant');
    }
  });

  it('--noise 0.5 --partial 0.3: the counts agree with the knobs and with the summary', async () => {
    const out = tempDir();
    const summary = await makeSynthetic({ out, classes: 3, videosPerClass: 20, frames: 1, size: 16, noise: 0.5, partial: 0.3, seed: 9 });
    const truth = readTeacherTruth(out)!;
    const c = counts(truth);
    expect(c.other + c.background).toBe(summary.noisyTeacher);
    // 60 videos at p = 0.5: 30 ± 3.9 (σ), bounds at about 3.8σ
    expect(c.own).toBeGreaterThan(15);
    expect(c.own).toBeLessThan(45);
    const share = c.partialChannels.reduce((a, b) => a + b, 0) / (60 * 512);
    // 30720 channels at p = 0.3: σ of the share 0.0026
    expect(Math.abs(share - 0.3)).toBeLessThan(0.015);
  });

  it('the recorded source is the feature written: own and other match that class, background matches none', async () => {
    const out = tempDir();
    await makeSynthetic({ out, classes: 4, videosPerClass: 12, frames: 1, size: 16, noise: 0.5, seed: 4 });
    const truth = readTeacherTruth(out)!;
    const entries = Object.entries(truth.videos);
    // each class's centre from its own-source features
    const centres = new Map<string, Float64Array>();
    for (const [id, v] of entries) {
      if (v.source !== 'own') continue;
      const centre = centres.get(labelOf(id)) ?? new Float64Array(512);
      feature(out, id).forEach((x, i) => (centre[i] += x));
      centres.set(labelOf(id), centre);
    }
    expect(centres.size).toBe(4);
    for (const [id, v] of entries) {
      const f = feature(out, id);
      const similarity = [...centres].map(([cls, centre]) => ({ cls, cos: cosine(f, centre) })).sort((a, b) => b.cos - a.cos);
      if (v.source === 'background') expect(similarity[0]!.cos, id).toBeLessThan(0.5);
      else expect(similarity[0]!.cls, id).toBe(v.source === 'own' ? labelOf(id) : v.fromClass);
    }
  });

  it('semi-real (--teacher-features): the recorded source is the real feature drawn', async () => {
    const real = tempDir();
    const pool = new Map<string, Float32Array[]>();
    for (const [c, cls] of ['Archery', 'Bowling', 'Cello'].entries()) {
      mkdirSync(join(real, cls));
      pool.set(cls, []);
      for (let k = 0; k < 3; k++) {
        const f = Float32Array.from({ length: 64 }, (_, i) => (i % 3 === c ? 1 + k + (i % 5) : 0));
        pool.get(cls)!.push(f);
        writeFileSync(join(real, cls, `v_${cls}_${k}.npy`), encodeNpy(f, [64]));
      }
    }
    const out = tempDir();
    const summary = await makeSynthetic({ out, classes: 3, videosPerClass: 10, frames: 1, size: 16, noise: 0.6, teacherFeatures: real, seed: 5 });
    const truth = readTeacherTruth(out)!;
    expect(truth).toMatchObject({ noise: 0.6, partial: 0, teacherDim: 64 });
    const c = counts(truth);
    expect(c.other + c.background).toBe(summary.noisyTeacher);
    expect(c.own).toBeGreaterThan(0);
    expect(c.other).toBeGreaterThan(0);
    expect(c.background).toBeGreaterThan(0);
    const equal = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).every((x, i) => x === b[i]);
    // a background feature is a real one scaled by a factor in [0, 0.3) per channel: same support, smaller
    const scaledFrom = (f: ArrayLike<number>, p: Float32Array) => Array.from(p).every((x, i) => (x === 0 ? f[i] === 0 : f[i]! <= 0.3 * x));
    for (const [id, v] of Object.entries(truth.videos)) {
      const f = feature(out, id);
      if (v.source === 'own') expect(pool.get(labelOf(id))!.some((p) => equal(f, p)), id).toBe(true);
      if (v.source === 'other') expect(pool.get(v.fromClass!)!.some((p) => equal(f, p)), id).toBe(true);
      if (v.source === 'background') expect(pool.get(v.drawnFrom!)!.some((p) => scaledFrom(f, p)), id).toBe(true);
      expect(v.partialChannels).toBe(0);
    }
  });
});

describe('data inspect and the truth file', () => {
  it('reports the counts per source and the channels replaced, or that there is no truth file', async () => {
    const out = tempDir();
    await makeSynthetic({ out, classes: 2, videosPerClass: 6, frames: 1, size: 16, noise: 1, partial: 1, seed: 3 });
    const report = await inspectDataset(out, { deep: false, clipLength: 1 });
    const c = counts(readTeacherTruth(out)!);
    expect(report.teacherTruth).toMatchObject({
      noise: 1,
      partial: 1,
      sources: { own: 0, other: c.other, background: c.background },
      partialChannels: { min: 512, median: 512, max: 512, teacherDim: 512 },
      unlisted: 0,
    });
    expect(formatInspectReport(report)).toContain(`teacher truth (${join(out, TEACHER_TRUTH_FILE)}, --noise 1, --partial 1): 0 own, ${c.other} another class's, ${c.background} background`);

    rmSync(join(out, TEACHER_TRUTH_FILE));
    const without = await inspectDataset(out, { deep: false, clipLength: 1 });
    expect(without.teacherTruth).toBeNull();
    expect(formatInspectReport(without)).toContain('teacher truth: none (no teacher_truth.json');
  });

  it('an unreadable truth file is one problem line naming the file; the reader says what was wrong', async () => {
    const out = tempDir();
    await makeSynthetic({ out, classes: 2, videosPerClass: 2, frames: 1, size: 16, seed: 3 });
    const file = join(out, TEACHER_TRUTH_FILE);
    const truth = JSON.parse(readFileSync(file, 'utf8'));
    const [id] = Object.keys(truth.videos);
    truth.videos[id!] = { source: 'other', partialChannels: 0 };
    writeFileSync(file, JSON.stringify(truth));
    expect(() => readTeacherTruth(out)).toThrow(`${file}: videos.${id}: fromClass is given exactly when source is 'other'`);
    const report = await inspectDataset(out, { deep: false, clipLength: 1 });
    expect(report.teacherTruth).toBeNull();
    expect(report.problems).toEqual([{ severity: 'warning', file, message: expect.stringMatching(/^.*teacher_truth\.json: videos\./) }]);
    writeFileSync(file, '{');
    expect(() => readTeacherTruth(out)).toThrow(/teacher_truth\.json: not valid JSON/);
  });
});
