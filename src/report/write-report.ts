// Writes a report folder: report.html plus each figure as <name>.svg and <name>.png. One run's
// report draws its training history; a comparison report draws several runs side by side.
import { join, relative } from 'node:path';
import type { BackendName } from '../backend/names.js';
import { writeFileAtomic } from '../train/atomic-file.js';
import type { ConfusionMatrix } from './confusion.js';
import { isSkipped, type FigureOutcome } from './figure.js';
import { accuracyFigure } from './figure-accuracy.js';
import { confusionFigure, perClassFigure } from './figure-classes.js';
import { comparisonFigure, summarise } from './figure-comparison.js';
import { gateFigure } from './figure-gate.js';
import { lossFigure } from './figure-losses.js';
import { retrievalFigure, shownIds, type Frames } from './figure-retrieval.js';
import { figureFonts } from './fonts.js';
import { middleFrames } from './frames.js';
import { reportHtml, type Cell, type Section, type Table } from './html.js';
import { lastCheckpoint, runDataset, type LoadedRun } from './load-run.js';
import { renderFigure } from './render.js';

export const REPORT_FILE = 'report.html';
/** the longest name written into a report folder ('per-class.png', 'comparison.svg', …), with room to spare */
export const LONGEST_ENTRY = 32;

export interface ReportOptions {
  /** backend of the evaluation behind the confusion matrix */
  backend?: BackendName;
  /** progress and dataset warnings, one line each */
  log(line: string): void;
}

export interface WrittenReport {
  html: string;
  drawn: string[];
  /** name: why, for each figure left out */
  skipped: string[];
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)}%`);
const shownValue = (v: unknown) => (typeof v === 'string' ? v : v === null ? 'null' : JSON.stringify(v));

async function retrievalFrames(run: LoadedRun): Promise<Frames | { unavailable: string }> {
  if (!run.retrieval) return { unavailable: 'no retrieval event' };
  const data = runDataset(run);
  if ('missing' in data) return { unavailable: `${data.missing}: the examples need its frames` };
  try {
    return await middleFrames(data.dir, shownIds(run.retrieval));
  } catch (err) {
    return { unavailable: `the frames could not be read: ${(err as Error).message.split('\n')[0]}` };
  }
}

async function confusion(run: LoadedRun, options: ReportOptions): Promise<ConfusionMatrix | { unavailable: string }> {
  const checkpoint = lastCheckpoint(run);
  if (!checkpoint) return { unavailable: 'the run has no checkpoint-last yet, whose evaluation gives the matrix' };
  const data = runDataset(run);
  if ('missing' in data) return { unavailable: `${data.missing}: the matrix needs its validation videos` };
  options.log(`${run.dir}: evaluating checkpoint-last on the validation videos for the confusion matrix`);
  try {
    // tfjs and the model load only now
    const { testConfusion } = await import('./confusion.js');
    return await testConfusion(checkpoint, { dataset: data.dir, backend: options.backend, onWarning: (m) => options.log(`warning: ${m}`) });
  } catch (err) {
    return { unavailable: `checkpoint-last could not be evaluated: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** Draws the figures that have data, writes their files and report.html. */
async function writeFolder(out: string, outcomes: FigureOutcome[], page: { title: string; intro: string; tables: Table[]; notes: string[] }): Promise<WrittenReport> {
  const sections: Section[] = [];
  for (const outcome of outcomes) {
    if (isSkipped(outcome)) {
      sections.push(outcome);
      continue;
    }
    const { svg, png } = await renderFigure(outcome);
    writeFileAtomic(join(out, `${outcome.name}.svg`), svg);
    writeFileAtomic(join(out, `${outcome.name}.png`), png);
    sections.push({ figure: outcome, svg });
  }
  const fontNote = figureFonts().note;
  const html = join(out, REPORT_FILE);
  writeFileAtomic(html, reportHtml({ ...page, notes: [...page.notes, ...(fontNote ? [fontNote] : [])], sections }));
  return {
    html,
    drawn: outcomes.filter((o) => !isSkipped(o)).map((o) => o.name),
    skipped: outcomes.flatMap((o) => (isSkipped(o) ? [`${o.name}: ${o.skipped}`] : [])),
  };
}

function runTables(run: LoadedRun): Table[] {
  const r = run.results;
  const time = run.run?.time === undefined ? '—' : new Date(run.run.time * 1000).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  const resumed = run.run?.resumedFrom;
  const lastClip = run.evals.filter((e) => e.level === 'clip').at(-1);
  const retrieval = r?.retrieval ?? run.retrieval;
  const rows: Cell[][] = [
    ['folder', run.dir],
    ['method', shownValue(run.config?.method ?? r?.method ?? '—')],
    ['backend', run.run ? `${run.run.backend} (${run.run.device})` : '—'],
    ['videos', run.run?.videos ? `${run.run.videos.training} training, ${run.run.videos.validation} validation` : '—'],
    resumed ? ['last resumed', `${time}, after epoch ${resumed.epoch} (step ${resumed.step})`] : ['started', time],
    ['state', r ? `${r.reason ?? 'finished'}: ${r.epochs ?? '?'} epochs, ${r.steps ?? '?'} steps in ${r.wallSeconds?.toFixed(0) ?? '?'} s` : `in progress: ${run.epochs.at(-1)?.epoch ?? 0} epochs so far`],
  ];
  const results: Cell[][] = [
    ['training accuracy (last epoch)', pct(r?.trainAccuracy ?? run.epochs.at(-1)?.trainAccuracy)],
    ['validation top-1 (clip-level)', pct(r?.validation?.top1 ?? lastClip?.top1)],
    ['test top-1 / top-5 (video-level)', r?.test ? `${pct(r.test.top1)} / ${pct(r.test.top5)}` : '—'],
    ...(retrieval
      ? [
          [retrieval.map.label, pct(retrieval.map.value)],
          [retrieval.seedMapAtK.label, pct(retrieval.seedMapAtK.value)],
        ]
      : [['retrieval', '—']]),
  ];
  const config = Object.entries(run.config ?? {}).map(([k, v]): Cell[] => [k, shownValue(v)]);
  return [
    { heading: 'Run', rows },
    { heading: 'Results', rows: results },
    { heading: 'Configuration (config.json)', rows: config.length > 0 ? config : [['—', 'no config.json and no run event']] },
  ];
}

export async function writeRunReport(run: LoadedRun, out: string, options: ReportOptions): Promise<WrittenReport> {
  const outcomes = [
    lossFigure(run),
    accuracyFigure(run),
    gateFigure(run),
    perClassFigure(run),
    confusionFigure(await confusion(run, options)),
    retrievalFigure(run.retrieval, await retrievalFrames(run)),
  ];
  const method = shownValue(run.config?.method ?? run.results?.method ?? 'run');
  return writeFolder(out, outcomes, {
    title: `${method} run report`,
    intro: `Figures of the run in ${run.dir}, drawn from its events.jsonl, results.json and checkpoint by mnf-tui report. Each figure is also in this folder as SVG and PNG.`,
    tables: runTables(run),
    notes: run.notes,
  });
}

/** `runs`: each run with its own report.html when one was written. */
export async function writeComparisonReport(runs: { run: LoadedRun; report: string | null }[], out: string): Promise<WrittenReport> {
  const summaries = runs.map(({ run }) => summarise(run));
  const rows = runs.map(({ run, report }, i): Cell[] => {
    const s = summaries[i]!;
    const folder = relative(out, run.dir) || '.';
    return [
      report ? { text: folder, href: relative(out, report) } : folder,
      s.dataset,
      s.noise === null ? '—' : String(s.noise),
      s.method,
      s.seed === null ? '—' : String(s.seed),
      pct(s.top1),
      pct(s.map),
    ];
  });
  return writeFolder(out, [comparisonFigure(summaries)], {
    title: `Comparison of ${runs.length} runs`,
    intro: `Top-1 and mAP of ${runs.length} runs, grouped by dataset, teacher noise and method, drawn by mnf-tui report. The figure is also in this folder as SVG and PNG.`,
    tables: [{ heading: 'Runs', columns: ['run (its report)', 'dataset', 'teacher noise', 'method', 'seed', 'top-1', 'mAP'], rows }],
    notes: runs.flatMap(({ run }) => run.notes.map((n) => `${run.dir}: ${n}`)),
  });
}
