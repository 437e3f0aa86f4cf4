// The report's reading of run folders (old, current, in progress, resumed) and the figures it
// makes of them, without the addon: hand-made run folders (report-fixture.ts).
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { confusionCounts } from '../src/report/confusion.js';
import { accuracyFigure, SERIES } from '../src/report/figure-accuracy.js';
import { confusionFigure, perClassFigure } from '../src/report/figure-classes.js';
import { cellStatistics, comparisonFigure, summarise } from '../src/report/figure-comparison.js';
import { gateFigure } from '../src/report/figure-gate.js';
import { lossFigure, lossTerms } from '../src/report/figure-losses.js';
import { pickQueries, retrievalFigure, thumbnailBox } from '../src/report/figure-retrieval.js';
import { isSkipped, thin, type Figure, type FigureOutcome } from '../src/report/figure.js';
import { scopeSvgIds } from '../src/report/html.js';
import { loadRun } from '../src/report/load-run.js';
import { encodePng } from '../src/report/png.js';
import { renderFigure } from '../src/report/render.js';
import { decodePng, greyVariance } from './png-decode.js';
import { writeRun } from './report-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'mnf-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The inline data of a figure's spec (every `data.values` in it). */
function values(outcome: FigureOutcome): Record<string, unknown>[] {
  expect(isSkipped(outcome), JSON.stringify(outcome)).toBe(false);
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const values = (node as { data?: { values?: unknown } }).data?.values;
      if (Array.isArray(values)) found.push(...(values as Record<string, unknown>[]));
      Object.values(node).forEach(walk);
    }
  };
  walk((outcome as Figure).spec);
  return found;
}

describe('reading a run folder', () => {
  it('an old run: lr.mnf read as the head rate, terms that were 0 at every step left out, gate events read as training', () => {
    const dir = join(root, 'old');
    writeRun(dir, { format: 'old' });
    const run = loadRun(dir);
    expect(run.notes).toEqual([]);
    expect(run.steps).toHaveLength(6);
    expect(lossTerms(run).map((t) => t.key)).toEqual(['ceStudent', 'csc', 'ceMnf']);
    const rows = values(lossFigure(run));
    expect(rows.filter((r) => r.group === 'head').map((r) => r.lr)).toEqual(Array(6).fill(0.0006));
    expect(new Set(rows.flatMap((r) => (r.term ? [r.term] : [])))).toEqual(new Set(['ceStudent', 'csc', 'ceMnf']));
    const gate = gateFigure(run) as Figure;
    expect(new Set(values(gate).map((r) => r.split))).toEqual(new Set(['training']));
    expect(gate.caption).toMatch(/no teacher truth/);
    expect(JSON.stringify(gate.spec)).not.toContain('ROC AUC');
  });

  it('a current run: only the declared terms with their labels; clean, irrelevant and the AUC on training and validation', () => {
    const dir = join(root, 'current');
    writeRun(dir, { format: 'current' });
    const run = loadRun(dir);
    expect(lossTerms(run)).toEqual([
      { key: 'ceStudent', label: 'CE student' },
      { key: 'csc', label: 'CSC' },
    ]);
    const gate = gateFigure(run) as Figure;
    const rows = values(gate);
    const aucs = rows.filter((r) => 'auc' in r && r.split !== undefined);
    expect(aucs.map((r) => [r.split, r.auc])).toEqual([
      ['training', 0.6],
      ['validation', 0.55],
      ['training', 0.7],
      ['validation', 0.65],
      ['training', expect.closeTo(0.8, 9)],
      ['validation', expect.closeTo(0.75, 9)],
    ]);
    expect(new Set(rows.flatMap((r) => (r.measure === 'score' ? [r.group] : [])))).toEqual(new Set(['clean teacher feature', 'irrelevant teacher feature']));
    expect(gate.caption).toMatch(/ROC AUC/);
  });

  it('a run in progress: a partial last line and a line cut short are noted, the rest is read; no results.json is noted', () => {
    const dir = join(root, 'in-progress');
    const events = writeRun(dir, { format: 'current', finished: false, tail: '{"type":"step","epoch":3,"st' });
    const run = loadRun(dir);
    expect(run.notes).toEqual([expect.stringMatching(/the last line is incomplete/), expect.stringMatching(/no results\.json: the run has not finished/)]);
    expect(run.steps).toHaveLength(events.filter((e) => e.type === 'step').length);
    appendFileSync(join(dir, 'events.jsonl'), '\n{"type":"epoch"}\n');
    const again = loadRun(dir);
    expect(again.notes).toEqual([
      expect.stringMatching(/1 line not readable as a JSON object/),
      expect.stringMatching(/no results\.json/),
      expect.stringMatching(/1 epoch event of an unexpected shape/),
    ]);
    expect(again.epochs).toHaveLength(3);
    // the per-class figure falls back on the last video-level evaluation event
    expect((perClassFigure(again) as Figure).caption).toMatch(/video-level test at step 6/);
  });

  it('a resumed run that repeated steps: the later event of a step wins, in step order', () => {
    const dir = join(root, 'resumed');
    writeRun(dir, { format: 'current', epochs: 2 });
    appendFileSync(join(dir, 'events.jsonl'), JSON.stringify({ type: 'step', epoch: 1, step: 3, losses: { ceStudent: 9, csc: 9 }, lr: { student: 1, head: 1 } }) + '\n');
    const run = loadRun(dir);
    expect(run.steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(run.steps[2]!.losses.ceStudent).toBe(9);
  });
});

describe('figures', () => {
  it('accuracy: training per epoch, clip-level validation per evaluation, the video-level test', () => {
    const dir = join(root, 'accuracy');
    writeRun(dir, { format: 'current', epochs: 2 });
    const rows = values(accuracyFigure(loadRun(dir)));
    expect(rows).toEqual([
      { epochs: 1, accuracy: 0.3, series: SERIES.train },
      { epochs: 2, accuracy: 0.4, series: SERIES.train },
      { epochs: 1, accuracy: 0.3, series: SERIES.clip },
      { epochs: 2, accuracy: 0.4, series: SERIES.clip },
      { epochs: 2, accuracy: 0.5, series: SERIES.video },
    ]);
  });

  it('a method without a gate, a run without a retrieval or a dataset, a run with no step: those figures are left out with the reason', () => {
    const dir = join(root, 'ce');
    writeRun(dir, { format: 'current', method: 'ce' });
    const run = loadRun(dir);
    expect(gateFigure(run)).toEqual({ name: 'gate', title: expect.any(String), skipped: expect.stringMatching(/no gate events .*ce has no MNF gate/) });
    expect(retrievalFigure(null, new Map())).toMatchObject({ skipped: expect.stringMatching(/no retrieval event/) });
    expect(retrievalFigure(run.retrieval, { unavailable: 'the dataset is gone' })).toMatchObject({ skipped: 'the dataset is gone' });
    expect(confusionFigure({ unavailable: 'no checkpoint' })).toMatchObject({ skipped: 'no checkpoint' });
    expect(lossFigure({ ...run, steps: [] })).toMatchObject({ skipped: expect.stringMatching(/no step events/) });
  });

  it('retrieval: one query per class first, ✓ for a match of the query class and ✗ otherwise, a missing frame drawn empty', () => {
    const dir = join(root, 'retrieval');
    writeRun(dir, { format: 'current' });
    const run = loadRun(dir);
    expect(pickQueries([{ label: 0 }, { label: 0 }, { label: 1 }].map((q, i) => ({ ...q, id: `q${i}`, className: '', top: [] })), 2).map((q) => q.id)).toEqual(['q0', 'q2']);
    const frames = new Map([['v_walk_g01_c01', { uri: 'data:image/jpeg;base64,AA==', width: 32, height: 24 }]]);
    const figure = retrievalFigure(run.retrieval, frames) as Figure;
    const cells = values(figure);
    expect(cells.filter((c) => c.row === 'query 2').map((c) => [c.col, c.first, c.uri !== null])).toEqual([
      ['query', 'run', false],
      ['match 1', '✗ walk', true],
      ['match 2', '✓ run', false],
    ]);
    expect(figure.caption).toMatch(/6 frames could not be read/);
    // 32×24 frames grow by a whole factor (3) into the 96×72 box, unsmoothed
    expect(thumbnailBox(frames)).toEqual({ width: 96, height: 72, smooth: false });
    expect(thumbnailBox(new Map([['a', { uri: '', width: 40, height: 30 }]]))).toEqual({ width: 80, height: 60, smooth: false });
    expect(thumbnailBox(new Map([['a', { uri: '', width: 320, height: 240 }]]))).toEqual({ width: 96, height: 72, smooth: true });
  });

  it('comparison: mean ± sample sd per dataset × noise × method; the noise from the folder name when the dataset has no truth file', () => {
    const runs = [
      { seed: 1, top1: 0.5, map: 0.4, method: 'ce', noise: '0.5' },
      { seed: 2, top1: 0.7, map: 0.6, method: 'ce', noise: '0.5' },
      { seed: 1, top1: 0.9, map: 0.8, method: 'mnf-csc', noise: '0.5' },
      { seed: 1, top1: 0.6, map: 0.5, method: 'ce', noise: '0' },
    ].map((r, i) => {
      const dir = join(root, 'grid', `run-${i}`);
      writeRun(dir, { format: 'current', method: r.method, seed: r.seed, top1: r.top1, map: r.map, dataset: join(root, 'data', `synthetic-noise-${r.noise}`) });
      return loadRun(dir);
    });
    const summaries = runs.map(summarise);
    expect(summaries[0]).toMatchObject({ method: 'ce', dataset: 'synthetic', noise: 0.5, seed: 1, top1: 0.5, map: 0.4 });
    const cells = cellStatistics(summaries);
    const ce = cells.find((c) => c.method === 'ce' && c.noise === '0.5' && c.metric.startsWith('top-1'))!;
    expect(ce.runs).toBe(2);
    expect(ce.mean).toBeCloseTo(0.6, 12);
    // sample sd of 0.5, 0.7: 0.1414…
    expect(ce.high - ce.mean).toBeCloseTo(Math.SQRT2 / 10, 12);
    expect(cells.find((c) => c.method === 'mnf-csc')).toMatchObject({ runs: 1, low: 0.9, high: 0.9 });
    expect(cells).toHaveLength(6);
    expect(comparisonFigure([])).toMatchObject({ skipped: expect.any(String) });
  });

  it('the confusion matrix counts each video once under its argmax, a tie going to the lower class', () => {
    // 3 classes; rows: [0.7 0.2 0.1] → 0, [0.4 0.4 0.2] (tie) → 0, [0.1 0.3 0.6] → 2
    const probs = Float32Array.from([0.7, 0.2, 0.1, 0.4, 0.4, 0.2, 0.1, 0.3, 0.6]);
    expect(confusionCounts(probs, Int32Array.from([0, 1, 1]), 3)).toEqual([
      [1, 0, 0],
      [1, 0, 1],
      [0, 0, 0],
    ]);
  });

  it('thins a long series by averaging runs of points', () => {
    const points = Array.from({ length: 10 }, (_, i) => ({ step: i + 1, value: i }));
    expect(thin(points, 20)).toBe(points);
    expect(thin(points, 5)).toEqual([0, 1, 2, 3, 4].map((i) => ({ step: 2 * i + 1.5, value: 2 * i + 0.5 })));
  });
});

describe('rendering', () => {
  it('a figure renders to an SVG with marks and a PNG whose pixels vary', async () => {
    const dir = join(root, 'render');
    writeRun(dir, { format: 'current' });
    const { svg, png } = await renderFigure(accuracyFigure(loadRun(dir)) as Figure);
    expect(svg).toMatch(/^<svg /);
    expect(svg).toMatch(/class="mark-line role-mark/);
    const image = decodePng(png);
    expect(image.width).toBeGreaterThan(1000);
    expect(greyVariance(image)).toBeGreaterThan(10);
  }, 60_000);

  it('encodes RGB when every pixel is opaque, RGBA otherwise, and the pixels read back', () => {
    const rgba = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 9, 9, 9, 255, 1, 2, 3, 255, 4, 5, 6, 255]);
    const rgb = decodePng(encodePng(rgba, 3, 2));
    expect(rgb).toMatchObject({ width: 3, height: 2, channels: 3 });
    expect(Array.from(rgb.pixels)).toEqual(Array.from(rgba).filter((_, i) => i % 4 !== 3));
    rgba[7] = 128;
    expect(Array.from(decodePng(encodePng(rgba, 3, 2)).pixels)).toEqual(Array.from(rgba));
    expect(() => encodePng(rgba, 4, 2)).toThrow(/24 bytes for 4×2 RGBA pixels \(expected 32\)/);
  });

  it('scopes the ids of an inlined SVG and every reference to them', () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use href="#clip1"/></g></svg>';
    expect(scopeSvgIds(svg, 'gate')).toBe('<svg><defs><clipPath id="gate-clip1"><rect/></clipPath></defs><g clip-path="url(#gate-clip1)"><use href="#gate-clip1"/></g></svg>');
  });
});
