// Several runs (the run folders of scripts/compare-methods.mjs, say): top-1 and mAP per method ×
// teacher-noise level, mean ± sample standard deviation over the runs of each cell (its seeds).
import { basename } from 'node:path';
import { readTeacherTruth } from '../data/teacher-truth.js';
import { SCHEMA, type FigureOutcome } from './figure.js';
import { runDataset, type LoadedRun } from './load-run.js';

export interface RunSummary {
  dir: string;
  method: string;
  /** the dataset's name: its folder's, less a `-noise-<x>` suffix (compare-methods' names) */
  dataset: string;
  /** teacher noise: teacher_truth.json's, else the folder name's suffix; null when neither says */
  noise: number | null;
  seed: number | null;
  /** video-level test top-1 */
  top1: number | null;
  /** standard mAP */
  map: number | null;
}

const NOISE_SUFFIX = /-noise-(\d+(?:\.\d+)?)$/;

export function summarise(run: LoadedRun): RunSummary {
  const data = runDataset(run);
  const dir = typeof run.config?.dataset === 'string' ? run.config.dataset : 'default dataset';
  const folder = basename(dir);
  let noise: number | null = null;
  if ('dir' in data) {
    try {
      noise = readTeacherTruth(data.dir)?.noise ?? null;
    } catch {
      // an unreadable truth file: the folder name may still say
    }
  }
  const suffix = NOISE_SUFFIX.exec(folder);
  noise ??= suffix ? Number(suffix[1]) : null;
  const lastVideoTest = run.evals.filter((e) => e.level === 'video').at(-1);
  const method = run.config?.method ?? run.results?.method;
  const seed = run.config?.seed;
  return {
    dir: run.dir,
    method: typeof method === 'string' ? method : 'unknown method',
    dataset: folder.replace(NOISE_SUFFIX, ''),
    noise,
    seed: typeof seed === 'number' ? seed : null,
    top1: run.results?.test?.top1 ?? lastVideoTest?.top1 ?? null,
    map: run.results?.retrieval?.map.value ?? run.retrieval?.map.value ?? null,
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** sample standard deviation (n - 1), 0 for one value: as docs/results.md reports */
const sd = (xs: number[]) => (xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)) : 0);

export const METRICS = { top1: 'top-1 (video-level test)', map: 'mAP (standard)' } as const;

export interface CellStatistics {
  dataset: string;
  noise: string;
  method: string;
  metric: string;
  mean: number;
  low: number;
  high: number;
  runs: number;
}

/** One row per dataset × noise × method × metric that has a value. */
export function cellStatistics(summaries: RunSummary[]): CellStatistics[] {
  const cells = new Map<string, { dataset: string; noise: string; method: string; values: Record<keyof typeof METRICS, number[]> }>();
  for (const s of summaries) {
    const noise = s.noise === null ? 'unknown' : String(s.noise);
    const key = JSON.stringify([s.dataset, noise, s.method]);
    const cell = cells.get(key) ?? { dataset: s.dataset, noise, method: s.method, values: { top1: [], map: [] } };
    cells.set(key, cell);
    if (s.top1 !== null) cell.values.top1.push(s.top1);
    if (s.map !== null) cell.values.map.push(s.map);
  }
  return [...cells.values()].flatMap((c) =>
    (Object.keys(METRICS) as (keyof typeof METRICS)[]).flatMap((metric) => {
      const xs = c.values[metric];
      if (xs.length === 0) return [];
      const m = mean(xs);
      const d = sd(xs);
      return [{ dataset: c.dataset, noise: c.noise, method: c.method, metric: METRICS[metric], mean: m, low: m - d, high: m + d, runs: xs.length }];
    }),
  );
}

export function comparisonFigure(summaries: RunSummary[]): FigureOutcome {
  const name = 'comparison';
  const title = 'Methods compared';
  const rows = cellStatistics(summaries);
  if (rows.length === 0) return { name, title, skipped: 'none of the runs has a video-level test or a retrieval yet' };
  const methods = [...new Set(summaries.map((s) => s.method))];
  const noises = [...new Set(rows.map((r) => r.noise))].sort((a, b) => (a === 'unknown' ? 1 : b === 'unknown' ? -1 : Number(a) - Number(b)));
  const datasets = [...new Set(rows.map((r) => r.dataset))];
  const runsPerCell = [...new Set(rows.map((r) => r.runs))].sort((a, b) => a - b);
  const x = { field: 'noise', type: 'ordinal', title: 'teacher noise', sort: noises, axis: { labelAngle: 0 } } as const;
  const xOffset = { field: 'method', type: 'nominal', sort: methods } as const;
  const color = { field: 'method', type: 'nominal', sort: methods, title: 'method' } as const;
  return {
    name,
    title,
    caption:
      `Top-1 of the video-level test and the standard mAP of retrieval, per method and teacher-noise level${datasets.length > 1 ? ' (a row per dataset)' : ''}: ` +
      `the mean over the runs of each cell (${runsPerCell.join(' or ')} run${runsPerCell.at(-1) === 1 ? '' : 's'}), the bar ± one sample standard deviation. ` +
      `The noise level is the dataset's teacher_truth.json, else its folder name's -noise-<x> suffix. From ${summaries.length} runs' results.json (or their last events).`,
    spec: {
      $schema: SCHEMA,
      data: { values: rows },
      facet: {
        column: { field: 'metric', type: 'nominal', title: null, sort: Object.values(METRICS) },
        ...(datasets.length > 1 ? { row: { field: 'dataset', type: 'nominal', title: null, sort: datasets } } : {}),
      },
      spec: {
        width: Math.max(160, 48 * noises.length * Math.max(2, methods.length / 2)),
        height: 200,
        layer: [
          { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, xOffset, color, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
          {
            mark: { type: 'point', filled: true, size: 50, opacity: 1 },
            encoding: {
              x,
              xOffset,
              color,
              y: { field: 'mean', type: 'quantitative', title: null, scale: { domain: [0, 1], clamp: true }, axis: { format: '.0%' } },
              tooltip: [{ field: 'method' }, { field: 'noise' }, { field: 'mean', format: '.1%' }, { field: 'runs' }],
            },
          },
        ],
      },
    },
  };
}
