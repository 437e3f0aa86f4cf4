// Hand-made run folders for the report tests: the events of an old run (before issue 14: lr.mnf,
// absent loss terms written as 0, no gate split, no teacher truth) and of a current one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../src/config/presets.js';

const classNames = ['walk', 'run', 'jump'];
const perClass = (correct: number[]) => correct.map((c, label) => ({ label, name: classNames[label]!, correct: c, total: 2, accuracy: c / 2 }));

export interface RunOptions {
  format: 'old' | 'current';
  method?: string;
  epochs?: number;
  /** the dataset the config names (need not exist) */
  dataset?: string;
  /** write results.json */
  finished?: boolean;
  /** text appended to events.jsonl as is */
  tail?: string;
  seed?: number;
  top1?: number;
  map?: number;
}

/** Writes a run folder of `epochs` epochs of 2 steps each; returns its events. */
export function writeRun(dir: string, options: RunOptions): Record<string, unknown>[] {
  const { format, method = 'mnf-csc', epochs = 3, finished = true, seed = 1, top1 = 0.5, map = 0.4 } = options;
  const config = { ...resolveConfig('tiny'), method, epochs, seed, dataset: options.dataset ?? join(dir, 'no-dataset') };
  const mnf = method === 'mnf-csc';
  const events: Record<string, unknown>[] = [
    {
      type: 'run',
      config,
      backend: 'native',
      device: 'CPU (2 threads)',
      backendReasons: [],
      out: dir,
      resumedFrom: null,
      classNames,
      videos: { training: 6, validation: 6 },
      batchesPerEpoch: 2,
      ...(format === 'current' ? { terms: mnf ? [{ key: 'ceStudent', label: 'CE student' }, { key: 'csc', label: 'CSC' }] : [{ key: 'ceStudent', label: 'CE student' }] } : {}),
      time: 1_700_000_000,
    },
  ];
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let batch = 1; batch <= 2; batch++) {
      step++;
      const losses =
        format === 'old' ? { ceStudent: 2 / step, csc: mnf ? 1 / step : 0, ceMnf: mnf ? 1.5 / step : 0, triplet: 0 } : mnf ? { ceStudent: 2 / step, csc: 1 / step } : { ceStudent: 2 / step };
      events.push({ type: 'step', epoch, step, batch, batchesPerEpoch: 2, losses, accuracy: 0.5, lr: format === 'old' ? { student: 0.003, mnf: 0.0006 } : { student: 0.003, head: 0.0006 }, time: 1 });
    }
    events.push({ type: 'epoch', epoch: epoch + 1, step, batches: 2, trainAccuracy: 0.3 + 0.1 * epoch, losses: {}, lr: {}, time: 1 });
    if (mnf) {
      const gate = { type: 'gate', epoch: epoch + 1, step, mean: 0.5 - 0.01 * epoch, belowHalf: 0.5 + 0.02 * epoch, histogram: [], perClass: [], time: 1 };
      if (format === 'old') events.push(gate);
      else {
        const byTeacher = (auc: number) => ({ clean: { count: 4, mean: 0.52, belowHalf: 0.4, score: 0.01 }, irrelevant: { count: 2, mean: 0.45, belowHalf: 0.6, score: 0.03 }, auc });
        events.push({ ...gate, split: 'training', byTeacher: byTeacher(0.6 + 0.1 * epoch) });
        events.push({ ...gate, split: 'validation', byTeacher: byTeacher(0.55 + 0.1 * epoch) });
      }
    }
    events.push({ type: 'eval', epoch: epoch + 1, step, level: 'clip', mode: 'val', top1: 0.3 + 0.1 * epoch, top5: 1, perClass: perClass([1, 1, 0]), samples: 18, best: true, time: 1 });
  }
  events.push({ type: 'eval', epoch: epochs, step, level: 'video', mode: 'test', top1, top5: 1, perClass: perClass([2, 1, 0]), samples: 6, best: false, time: 1 });
  const hit = (id: string, label: number, score: number) => ({ id, label, className: classNames[label]!, score });
  events.push({
    type: 'retrieval',
    epoch: epochs,
    step,
    seedMapAtK: { k: 4, value: map + 0.05, queriesScored: 3, label: 'mAP@4 (seed)' },
    map: { value: map, label: 'mAP (standard)' },
    hitAt: { 1: 0.5, 5: 1, 10: 1 },
    queries: 3,
    gallery: 6,
    results: [0, 1, 2].map((label) => ({ id: `v_${classNames[label]}_g09_c01`, label, className: classNames[label]!, top: [hit('v_walk_g01_c01', 0, 0.9), hit('v_run_g01_c01', 1, 0.8)] })),
    time: 1,
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e) + '\n').join('') + (options.tail ?? ''));
  if (finished) {
    const results = {
      method,
      preset: 'tiny',
      backend: 'native',
      device: 'CPU (2 threads)',
      epochs,
      steps: step,
      wallSeconds: 3,
      trainAccuracy: 0.5,
      best: null,
      validation: { top1: 0.5, top5: 1, epoch: epochs, step },
      test: { top1, top5: 1, perClass: perClass([2, 1, 0]), epoch: epochs, step },
      retrieval: { seedMapAtK: { k: 4, value: map + 0.05, queriesScored: 3, label: 'mAP@4 (seed)' }, map: { value: map, label: 'mAP (standard)' }, hitAt: { 1: 0.5, 5: 1, 10: 1 }, queries: 3, gallery: 6, epoch: epochs, step },
      reason: 'completed',
      config,
    };
    writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  }
  return events;
}
