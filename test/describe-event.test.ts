import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/presets.js';
import { createReporter } from '../src/headless/reporter.js';
import { count, describeEvent, epochInProgress, lossLabel, progressStamp } from '../src/train/describe-event.js';
import type {
  CheckpointEvent,
  DoneEvent,
  EngineEvent,
  EpochEvent,
  EvalEvent,
  GateEvent,
  RetrievalEvent,
  StepEvent,
  WarningEvent,
} from '../src/train/events.js';
import { initialModel, reduce } from '../src/tui/model.js';
import { runEvent, T } from './event-fixtures.js';

const t = T;
const run = runEvent;
const step = (epoch: number, batch: number): StepEvent => ({
  type: 'step', epoch, step: epoch * 5 + batch, batch, batchesPerEpoch: 5, losses: { ceStudent: 1 }, accuracy: 0.5,
  lr: { student: 3e-4, head: 6e-5 }, clipsPerSecond: 10, dataWaitShare: 0, ms: 100, time: t,
});
const epoch = (n: number): EpochEvent => ({
  type: 'epoch', epoch: n, step: 5 * n, batches: 5, trainAccuracy: 0.375, losses: { ceStudent: 1.23456, csc: 2.5, novel: 0.5 },
  lr: { student: 3e-4, head: 6e-5 }, clipsPerSecond: 12.34, dataWaitShare: 0.021, seconds: 0.64, time: t,
});
const evaluation = (over: Partial<EvalEvent>): EvalEvent => ({
  type: 'eval', epoch: 1, step: 5, level: 'clip', mode: 'val', top1: 0.5, top5: 0.9, perClass: [], samples: 18, best: false, time: t, ...over,
});
const retrieval = (over: Partial<RetrievalEvent> = {}): RetrievalEvent => ({
  type: 'retrieval', epoch: 2, step: 10,
  seedMapAtK: { k: 500, value: 0.4567, queriesScored: 2, label: 'seed mAP@500' },
  map: { value: 0.3456, label: 'mAP (all relevant)' },
  hitAt: { 1: 0.5, 5: 1, 10: 1 }, queries: 2, gallery: 12, results: [], time: t, ...over,
});
const gate = (over: Partial<GateEvent> = {}): GateEvent => ({
  type: 'gate', epoch: 1, step: 5, split: 'training', mean: 0.62, belowHalf: 0.31, histogram: [0, 1], perClass: [], time: t, ...over,
});
const checkpoint = (over: Partial<CheckpointEvent> = {}): CheckpointEvent => ({
  type: 'checkpoint', kind: 'last', path: '/tmp/run/checkpoint-last', epoch: 1, step: 5, top1: null, time: t, ...over,
});
const warning = (n: number): WarningEvent => ({ type: 'warning', message: 'v_07.hdf5: frame 3 is not a JPEG', source: 'data', count: n, time: t });
const done = (epochs: number, steps: number, reason: DoneEvent['reason'] = 'completed'): DoneEvent => ({
  type: 'done', reason, epoch: epochs, step: steps, time: t,
  results: {
    method: 'mnf-csc', preset: 'tiny', backend: 'native', device: 'CPU', epochs, steps, wallSeconds: 12.34,
    trainAccuracy: 0.5, best: null, validation: null, test: null, retrieval: null,
  },
});

describe('count', () => {
  it('uses the singular for exactly one and the plural otherwise', () => {
    expect(count(1, 'epoch')).toBe('1 epoch');
    expect(count(2, 'epoch')).toBe('2 epochs');
    expect(count(0, 'epoch')).toBe('0 epochs');
    expect(count(1, 'query', 'queries')).toBe('1 query');
    expect(count(3, 'query', 'queries')).toBe('3 queries');
  });
});

describe('epoch means the epochs completed when the event was emitted', () => {
  it('the epoch event with epoch 1 reads as the first epoch finished', () => {
    const line = describeEvent(epoch(1))!;
    expect(line).toMatch(/^epoch 1 finished: train acc 37\.5%/);
    expect(describeEvent(epoch(4))).toMatch(/^epoch 4 finished:/);
  });

  it('a step of the first epoch belongs to epoch 1 in progress', () => {
    expect(epochInProgress(step(0, 3))).toBe(1);
    expect(epochInProgress(step(1, 5))).toBe(2);
  });

  it('an evaluation says how many epochs were done and at which step', () => {
    expect(describeEvent(evaluation({ epoch: 1, step: 5 }))).toContain('at step 5 (1 epoch done)');
    // pressed mid-way through the second epoch
    expect(describeEvent(evaluation({ epoch: 1, step: 7 }))).toContain('at step 7 (1 epoch done)');
    // pressed during the first epoch
    expect(describeEvent(evaluation({ epoch: 0, step: 2 }))).toContain('at step 2 (0 epochs done)');
    expect(progressStamp({ epoch: 3, step: 15 })).toBe('at step 15 (3 epochs done)');
  });
});

describe('every event type has its line', () => {
  it('run: what is trained, on what, for how long, resumed from where', () => {
    expect(describeEvent(run())).toBe(
      'training mnf-csc (preset tiny) on native, CPU (2 threads): 12 training videos, 6 validation videos, 4 epochs; run folder /tmp/run' +
        '\nbackend: native: oneDNN 2.6.3, 2 threads',
    );
    const one = run({
      config: { ...resolveConfig('tiny'), epochs: 1 },
      videos: { training: 1, validation: 1 },
      out: null,
      backendReasons: [],
      resumedFrom: { epoch: 1, step: 2, path: '/tmp/run/checkpoint-last' },
    });
    expect(describeEvent(one)).toBe(
      'training mnf-csc (preset tiny) on native, CPU (2 threads): 1 training video, 1 validation video, 1 epoch; ' +
        'resumed from /tmp/run/checkpoint-last at step 2 (1 epoch done)',
    );
  });

  it('run of a data-parallel job: its ranks and what averages the gradients', () => {
    const job = run({ backendReasons: [], world: { size: 2, rank: 0, gradients: 'MPI in host memory' } });
    expect(describeEvent(job)).toBe(
      'training mnf-csc (preset tiny) on native, CPU (2 threads): 12 training videos, 6 validation videos, 4 epochs; run folder /tmp/run; ' +
        '2 ranks (gradients: MPI in host memory)',
    );
  });

  it('epoch: accuracy, every loss term by its label, throughput', () => {
    expect(describeEvent(epoch(1))).toBe(
      'epoch 1 finished: train acc 37.5%, CE student 1.2346, CSC 2.5000, novel 0.5000; 12.3 clips/s, data wait 2.1%, 0.6 s',
    );
  });

  it('eval: level, mode, figures, sample count, new best', () => {
    expect(describeEvent(evaluation({ best: true }))).toBe(
      'clip-level validation at step 5 (1 epoch done): top-1 50.0%, top-5 90.0% over 18 clips, new best',
    );
    expect(describeEvent(evaluation({ level: 'video', mode: 'test', samples: 1, epoch: 4, step: 20 }))).toBe(
      'video-level test at step 20 (4 epochs done): top-1 50.0%, top-5 90.0% over 1 video',
    );
  });

  it('retrieval: both mAP figures by their labels, hit@k, queries and gallery', () => {
    expect(describeEvent(retrieval())).toBe(
      'retrieval at step 10 (2 epochs done): seed mAP@500 45.7% (2 queries scored); mAP (all relevant) 34.6%; ' +
        'hit@1/5/10 50.0%/100.0%/100.0%; 2 queries against 12 training videos',
    );
    const single = describeEvent(retrieval({ queries: 1, gallery: 1, seedMapAtK: { k: 5, value: 1, queriesScored: 1, label: 'seed mAP@5' } }))!;
    expect(single).toContain('(1 query scored)');
    expect(single).toContain('1 query against 1 training video');
  });

  it('gate: mean and the share below 0.5', () => {
    expect(describeEvent(gate())).toBe('MNF gate at step 5 (1 epoch done): mean 0.620, 31.0% below 0.5');
  });

  it('gate on validation clips, clean against irrelevant teacher features', () => {
    const byTeacher = {
      clean: { count: 40, mean: 0.512, belowHalf: 0.4, score: 0.1 },
      irrelevant: { count: 0, mean: null, belowHalf: null, score: null },
      auc: null,
    };
    expect(describeEvent(gate({ split: 'validation', byTeacher }))).toBe(
      'MNF gate on validation clips at step 5 (1 epoch done): mean 0.620, 31.0% below 0.5; clean 40 mean 0.512, irrelevant 0, AUC n/a',
    );
    expect(describeEvent(gate({ byTeacher: { ...byTeacher, irrelevant: { count: 3, mean: 0.25, belowHalf: 1, score: 0.3 }, auc: 0.75 } }))).toBe(
      'MNF gate at step 5 (1 epoch done): mean 0.620, 31.0% below 0.5; clean 40 mean 0.512, irrelevant 3 mean 0.250, AUC 0.750',
    );
  });

  it('checkpoint: kind, when, its top-1 when known, path', () => {
    expect(describeEvent(checkpoint())).toBe('checkpoint-last saved at step 5 (1 epoch done): /tmp/run/checkpoint-last');
    expect(describeEvent(checkpoint({ kind: 'best', path: '/tmp/run/checkpoint-best', epoch: 2, step: 10, top1: 0.625 }))).toBe(
      'checkpoint-best saved at step 10 (2 epochs done), top-1 62.5%: /tmp/run/checkpoint-best',
    );
  });

  it('warning: source, message, how many times', () => {
    expect(describeEvent(warning(1))).toBe('warning (data): v_07.hdf5: frame 3 is not a JPEG');
    expect(describeEvent(warning(3))).toBe('warning (data): v_07.hdf5: frame 3 is not a JPEG (3 times)');
  });

  it('done: reason, epochs and steps done, wall time', () => {
    expect(describeEvent(done(1, 1, 'stopped'))).toBe('done (stopped): 1 epoch, 1 step in 12.3 s');
    expect(describeEvent(done(4, 20))).toBe('done (completed): 4 epochs, 20 steps in 12.3 s');
  });

  it('error, dataset progress, and the events that only go to the JSON stream', () => {
    expect(describeEvent({ type: 'error', message: 'no such dataset: /x', time: t })).toBe('error: no such dataset: /x');
    expect(describeEvent({ type: 'dataset-progress', stage: 'generating the default dataset', done: 3, total: 9, time: t })).toBeNull();
    expect(describeEvent({ type: 'dataset-progress', stage: 'generating the default dataset', done: 9, total: 9, time: t })).toBe(
      'generating the default dataset: done',
    );
    expect(describeEvent({ type: 'state', state: 'running', previous: 'idle', time: t })).toBeNull();
    expect(describeEvent(step(0, 1))).toBeNull();
  });

  it('loss terms without a label are shown by their key', () => {
    expect(lossLabel('ceMnf')).toBe('CE MNF');
    expect(lossLabel('featKd')).toBe('feature KD');
    expect(lossLabel('novel')).toBe('novel');
  });
});

describe('the headless reporter and the console word an event the same way', () => {
  const events: EngineEvent[] = [
    run(), { type: 'state', state: 'running', previous: 'idle', time: t }, step(0, 5), epoch(1), gate(), evaluation({ best: true }),
    checkpoint(), checkpoint({ kind: 'best', top1: 0.5 }), warning(2), retrieval(), done(1, 5),
  ];

  it('stdout carries every event as JSON, stderr one line for each described event', () => {
    let stdout = '';
    let stderr = '';
    const report = createReporter({ stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
    for (const e of events) report(e);
    expect(stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual(events);
    const described = events.map(describeEvent).filter((l): l is string => l !== null);
    expect(stderr).toBe(described.map((l) => l + '\n').join(''));
    expect(stderr).toContain('epoch 1 finished: train acc 37.5%');
    expect(stderr).toContain('done (completed): 1 epoch, 5 steps in 12.3 s');
  });

  it('each console log line is the reporter’s line for its event', () => {
    const model = events.reduce(reduce, initialModel());
    const logged = model.log.map((l) => l.text);
    for (const e of [epoch(1), evaluation({ best: true }), checkpoint(), warning(2), retrieval(), done(1, 5)]) {
      expect(logged).toContain(describeEvent(e));
    }
    expect(model.log.map((l) => l.kind)).toEqual(['epoch', 'eval', 'checkpoint', 'checkpoint', 'warning', 'eval', 'info']);
    const failed = reduce(initialModel(), { type: 'error', message: 'loss became NaN', time: t });
    expect(failed.log.map((l) => [l.kind, l.text])).toEqual([['error', 'error: loss became NaN']]);
  });
});

describe('the formatter loads neither tfjs nor the engine', () => {
  const importsOf = (...path: string[]) => readFileSync(join(resolve(import.meta.dirname, '..'), 'src', ...path), 'utf8').match(/^import[\s\S]*?from\s+'[^']+';/gm) ?? [];

  it('imports types only, and the methods\' term labels (plain data that imports types only)', () => {
    const imports = importsOf('train', 'describe-event.ts');
    expect(imports.length).toBeGreaterThan(0);
    for (const statement of imports) expect(statement).toMatch(/^import type |^import \{ TERM_LABELS \} from '\.\.\/methods\/terms\.js';$/);
    for (const statement of importsOf('methods', 'terms.ts')) expect(statement).toMatch(/^import type /);
  });
});
