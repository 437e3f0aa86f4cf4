// Per-class accuracy (from results.json's test, else the last evaluation event) and the confusion
// matrix of the video-level test (computed from the run's checkpoint: see confusion.ts).
import type { ConfusionMatrix } from './confusion.js';
import { SCHEMA, type FigureOutcome } from './figure.js';
import type { LoadedRun } from './load-run.js';
import type { ClassAccuracy } from './recorded.js';

/** Above this many classes the cells are too small for their counts. */
const MAX_LABELLED_CLASSES = 20;

/** The per-class accuracy to draw and what it was measured by. */
function perClassSource(run: LoadedRun): { perClass: ClassAccuracy[]; source: string } | null {
  if (run.results?.test) return { perClass: run.results.test.perClass, source: 'the final video-level test (results.json)' };
  const last = (level: 'clip' | 'video') => run.evals.filter((e) => e.level === level).at(-1);
  const video = last('video');
  if (video) return { perClass: video.perClass, source: `the video-level test at step ${video.step}` };
  const clip = last('clip');
  if (clip) return { perClass: clip.perClass, source: `the clip-level validation at step ${clip.step}` };
  return null;
}

export function perClassFigure(run: LoadedRun): FigureOutcome {
  const name = 'per-class';
  const title = 'Per-class accuracy';
  const found = perClassSource(run);
  if (!found) return { name, title, skipped: 'no evaluation yet (no eval events, no test in results.json)' };
  const rows = found.perClass.map((c) => ({ name: c.name, accuracy: c.accuracy ?? 0, count: c.total > 0 ? `${c.correct}/${c.total}` : 'no sample' }));
  const y = { field: 'name', type: 'nominal', title: null, sort: rows.map((r) => r.name) } as const;
  return {
    name,
    title,
    caption: `Top-1 of each class in ${found.source}, with correct/total videos or clips.`,
    spec: {
      $schema: SCHEMA,
      width: 360,
      height: { step: 18 },
      data: { values: rows },
      encoding: { y },
      layer: [
        {
          mark: { type: 'bar', color: '#4c78a8' },
          encoding: { x: { field: 'accuracy', type: 'quantitative', title: 'top-1', scale: { domain: [0, 1] }, axis: { format: '.0%' } } },
        },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { x: { field: 'accuracy', type: 'quantitative' }, text: { field: 'count' } } },
      ],
    },
  };
}

export function confusionFigure(confusion: ConfusionMatrix | { unavailable: string }): FigureOutcome {
  const name = 'confusion';
  const title = 'Confusion matrix';
  if ('unavailable' in confusion) return { name, title, skipped: confusion.unavailable };
  const { classNames, counts } = confusion;
  const rows = counts.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => ({ actual: classNames[t]!, predicted: classNames[p]!, count, share: total > 0 ? count / total : 0 }));
  });
  const labelled = classNames.length <= MAX_LABELLED_CLASSES;
  const cell = labelled ? 30 : 12;
  const axis = (field: 'actual' | 'predicted', title: string) => ({ field, type: 'ordinal', title, sort: classNames, axis: { grid: false } }) as const;
  return {
    name,
    title,
    caption:
      `Validation videos by actual class (rows) and predicted class (columns) in the video-level test of ${confusion.checkpoint} ` +
      `(${confusion.epoch} epochs), evaluated for this report; colour: share of the row${labelled ? ', number: videos' : ''}.`,
    spec: {
      $schema: SCHEMA,
      width: { step: cell },
      height: { step: cell },
      data: { values: rows },
      encoding: { x: { ...axis('predicted', 'predicted class'), axis: { grid: false, labelAngle: -45 } }, y: axis('actual', 'actual class') },
      layer: [
        {
          mark: { type: 'rect' },
          encoding: { color: { field: 'share', type: 'quantitative', title: 'share of row', scale: { domain: [0, 1], scheme: 'blues' }, legend: { format: '.0%' } } },
        },
        ...(labelled
          ? [
              {
                mark: { type: 'text', fontSize: 10 },
                encoding: {
                  text: { field: 'count', type: 'quantitative' },
                  color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#333' },
                },
              } as const,
            ]
          : []),
      ],
    },
  };
}
