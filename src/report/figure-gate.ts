// MNF gate diagnostics over epochs, from the gate events: the mean gate and the share of gate
// values below 0.5, over all samples and (when the dataset records its teacher truth) over the
// samples with a clean and with an irrelevant teacher feature, with their mean filter score and
// the AUC of telling them apart by it; on training batches and on validation videos.
import type { TopLevelSpec } from 'vega-lite';
import { SCHEMA, type FigureOutcome } from './figure.js';
import { epochsAt, type LoadedRun } from './load-run.js';

const NAME = 'gate';
const TITLE = 'Gate diagnostics';

const GROUPS = { all: 'all samples', clean: 'clean teacher feature', irrelevant: 'irrelevant teacher feature' } as const;
const GROUP_COLOURS = ['#4c78a8', '#54a24b', '#e45756'];

type Panel = Extract<TopLevelSpec, { concat: unknown }>['concat'][number];
type Measure = 'mean' | 'belowHalf' | 'score';

interface Row {
  epochs: number;
  split: 'training' | 'validation';
  group: string;
  measure: Measure;
  value: number;
}

function rowsOf(run: LoadedRun): Row[] {
  return run.gates.flatMap((g) => {
    const at = { epochs: epochsAt(run, g), split: g.split ?? 'training' };
    const rows: Row[] = [
      { ...at, group: GROUPS.all, measure: 'mean', value: g.mean },
      { ...at, group: GROUPS.all, measure: 'belowHalf', value: g.belowHalf },
    ];
    for (const key of ['clean', 'irrelevant'] as const) {
      const stats = g.byTeacher?.[key];
      if (!stats) continue;
      for (const measure of ['mean', 'belowHalf', 'score'] as const) {
        const value = stats[measure];
        if (typeof value === 'number') rows.push({ ...at, group: GROUPS[key], measure, value });
      }
    }
    return rows;
  });
}

export function gateFigure(run: LoadedRun): FigureOutcome {
  if (run.gates.length === 0) {
    return { name: NAME, title: TITLE, skipped: `no gate events in events.jsonl (${String(run.config?.method ?? 'the method')} has no MNF gate, or no epoch finished yet)` };
  }
  const rows = rowsOf(run);
  const aucs = run.gates.flatMap((g) => (typeof g.byTeacher?.auc === 'number' ? [{ epochs: epochsAt(run, g), split: g.split ?? 'training', auc: g.byTeacher.auc }] : []));
  const x = { field: 'epochs', type: 'quantitative', title: 'epochs completed', axis: { tickMinStep: 1 } } as const;
  const split = {
    field: 'split',
    type: 'nominal',
    title: 'samples',
    scale: { domain: ['training', 'validation'] },
    // the dashes' legend has no colour of its own: drawn in the text colour
    legend: { symbolType: 'stroke', symbolStrokeWidth: 2, encode: { symbols: { update: { stroke: { value: '#333' } } } } },
  } as const;
  const group = {
    field: 'group',
    type: 'nominal',
    title: 'teacher feature',
    scale: { domain: Object.values(GROUPS), range: GROUP_COLOURS },
    legend: { symbolType: 'stroke', symbolStrokeWidth: 2 },
  } as const;
  const size = { width: 260, height: 180 };
  // gate values crowd around 0.5 early on: these axes fit the data rather than [0, 1]
  const panel = (measure: Measure, title: string, format?: string): Panel => ({
    title,
    ...size,
    data: { values: rows },
    transform: [{ filter: { field: 'measure', equal: measure } }],
    mark: { type: 'line', point: true, strokeWidth: 1.5 },
    encoding: { x, y: { field: 'value', type: 'quantitative', title, scale: { zero: false }, ...(format ? { axis: { format } } : {}) }, color: group, strokeDash: split },
  });
  const aucPanel: Panel = {
    title: 'AUC: irrelevant vs clean, by filter score',
    ...size,
    layer: [
      { data: { values: [{ auc: 0.5 }] }, mark: { type: 'rule', color: '#999', strokeDash: [2, 2] }, encoding: { y: { field: 'auc', type: 'quantitative' } } },
      {
        data: { values: aucs },
        mark: { type: 'line', point: { filled: true, color: '#333' }, color: '#333', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'auc', type: 'quantitative', title: 'ROC AUC', scale: { domain: [0, 1] } }, strokeDash: split },
      },
    ],
  };
  const truth = aucs.length > 0;
  const scored = rows.some((r) => r.measure === 'score');
  const score = run.results?.gate?.score;
  return {
    name: NAME,
    title: TITLE,
    caption:
      'The mean gate value and the share of gate values below 0.5, on training batches (solid, each epoch) and on validation videos (dashed, each evaluation)' +
      (truth
        ? ', over all samples and split by whether the teacher feature was clean or irrelevant (the dataset’s teacher_truth.json)' +
          (scored ? '; the mean per-sample filter score of each group' : '') +
          `; and the ROC AUC of the filter score${score ? ` (${score})` : ''} for telling irrelevant teacher features from clean ones, where 0.5 is no separation.`
        : '. The run records no teacher truth (a dataset without teacher_truth.json, or a run older than it), so clean and irrelevant samples are not told apart.') +
      ' The gate axes fit the data. From the gate events.',
    spec: {
      $schema: SCHEMA,
      config: { legend: { orient: 'bottom', direction: 'vertical' } },
      columns: 2,
      concat: [
        panel('mean', 'mean gate'),
        panel('belowHalf', 'share below 0.5', '.0%'),
        ...(scored ? [panel('score', 'mean filter score')] : []),
        ...(truth ? [aucPanel] : []),
      ],
    },
  };
}
