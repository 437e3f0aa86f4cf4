// Loss terms and learning rates over optimisation steps, from the step events.
import { SCHEMA, thin, type FigureOutcome } from './figure.js';
import type { LoadedRun } from './load-run.js';
import type { Term } from './recorded.js';

const NAME = 'losses';
const TITLE = 'Loss terms and learning rates';
/** points per line: more than a figure's width in pixels shows nothing more */
const MAX_POINTS = 1000;

/**
 * The terms to draw: the ones the run event declares; for an old run (no declaration) every
 * key its step events hold, less those that are 0 at every step (absent terms were written as 0).
 */
export function lossTerms(run: LoadedRun): Term[] {
  if (run.run?.terms) return run.run.terms;
  const keys = new Set(run.steps.flatMap((s) => Object.keys(s.losses)));
  return [...keys].filter((key) => run.steps.some((s) => (s.losses[key] ?? 0) !== 0)).map((key) => ({ key, label: key }));
}

export function lossFigure(run: LoadedRun): FigureOutcome {
  if (run.steps.length === 0) return { name: NAME, title: TITLE, skipped: 'no step events in events.jsonl (the run took no step yet)' };
  const terms = lossTerms(run);
  const losses = terms.flatMap(({ key, label }) =>
    thin(
      run.steps.flatMap((s) => (typeof s.losses[key] === 'number' ? [{ step: s.step, value: s.losses[key] }] : [])),
      MAX_POINTS,
    ).map((p) => ({ ...p, term: label })),
  );
  const series = (group: string, points: { step: number; lr: number }[]) => thin(points, MAX_POINTS).map((p) => ({ ...p, group }));
  const rates = [
    ...series('student', run.steps.map((s) => ({ step: s.step, lr: s.lr.student }))),
    // lr.mnf: the head optimiser's name before issue 14
    ...series(
      'head',
      run.steps.flatMap((s) => {
        const lr = s.lr.head ?? s.lr.mnf;
        return lr === undefined ? [] : [{ step: s.step, lr }];
      }),
    ),
  ];
  const x = { field: 'step', type: 'quantitative', title: 'optimisation step' } as const;
  return {
    name: NAME,
    title: TITLE,
    caption:
      `Each loss term of ${String(run.config?.method ?? 'the method')} per optimisation step` +
      (run.steps.length > MAX_POINTS ? ` (averaged over runs of ${Math.ceil(run.steps.length / MAX_POINTS)} steps)` : '') +
      ', and the learning rate of the student and of the head optimiser. From the step events.',
    spec: {
      $schema: SCHEMA,
      vconcat: [
        {
          title: 'loss terms',
          width: 560,
          height: 220,
          data: { values: losses },
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: { x, y: { field: 'value', type: 'quantitative', title: 'loss' }, color: { field: 'term', type: 'nominal', title: 'term', sort: terms.map((t) => t.label) } },
        },
        {
          title: 'learning rates',
          width: 560,
          height: 120,
          data: { values: rates },
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
          encoding: {
            x,
            y: { field: 'lr', type: 'quantitative', title: 'learning rate', axis: { format: '.1e' } },
            color: { field: 'group', type: 'nominal', title: 'optimiser', scale: { range: ['#4c78a8', '#e45756'] } },
          },
        },
      ],
      resolve: { scale: { color: 'independent' } },
    },
  };
}
