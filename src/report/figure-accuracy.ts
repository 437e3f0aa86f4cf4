// Training and validation accuracy over epochs, from the epoch and eval events.
import { SCHEMA, type FigureOutcome } from './figure.js';
import { epochsAt, type LoadedRun } from './load-run.js';

const NAME = 'accuracy';
const TITLE = 'Training and validation accuracy';

export const SERIES = {
  train: 'training (student, over the epoch)',
  clip: 'validation (clip-level top-1)',
  video: 'validation (video-level test top-1)',
} as const;

export function accuracyFigure(run: LoadedRun): FigureOutcome {
  const points = [
    ...run.epochs.map((e) => ({ epochs: e.epoch, accuracy: e.trainAccuracy, series: SERIES.train })),
    ...run.evals.map((e) => ({ epochs: epochsAt(run, e), accuracy: e.top1, series: SERIES[e.level] })),
  ];
  if (points.length === 0) return { name: NAME, title: TITLE, skipped: 'no epoch or eval events in events.jsonl (no epoch finished yet)' };
  return {
    name: NAME,
    title: TITLE,
    caption:
      "The student's training accuracy over each epoch's clips, and validation top-1: clip-level (each validation clip scored alone) " +
      'and the video-level test (softmax averaged over each video’s windows). An evaluation in the middle of an epoch sits at its fraction of the epoch. From the epoch and eval events.',
    spec: {
      $schema: SCHEMA,
      width: 560,
      height: 260,
      data: { values: points },
      mark: { type: 'line', point: true, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'epochs', type: 'quantitative', title: 'epochs completed', axis: { tickMinStep: 1 } },
        y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
        color: { field: 'series', type: 'nominal', title: null, sort: Object.values(SERIES), legend: { orient: 'bottom', direction: 'vertical', labelLimit: 480 } },
      },
    },
  };
}
