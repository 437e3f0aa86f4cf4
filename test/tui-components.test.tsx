import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import type { EngineCommand, EngineEvent, RetrievalEvent, StepEvent } from '../src/train/events.js';
import { describeEvent, gateSummary } from '../src/train/describe-event.js';
import { App } from '../src/tui/App.js';
import { initialModel, reduce, type ConsoleModel } from '../src/tui/model.js';
import { runEvent, T } from './event-fixtures.js';

const t = T;
const run = runEvent();
const step = (epoch: number, batch: number, ce: number): StepEvent => ({
  type: 'step',
  epoch,
  step: epoch * 5 + batch,
  batch,
  batchesPerEpoch: 5,
  losses: { ceStudent: ce, csc: 2.5, ceMnf: 1.1, triplet: 0.2, gateL1: 0.03 },
  accuracy: 0.375,
  lr: { student: 3e-4, mnf: 6e-5 },
  clipsPerSecond: 12.34,
  dataWaitShare: 0.021,
  ms: 650,
  time: t,
});
const retrieval: RetrievalEvent = {
  type: 'retrieval',
  epoch: 1,
  step: 10,
  seedMapAtK: { k: 500, value: 0.4567, queriesScored: 2, label: 'seed mAP@500' },
  map: { value: 0.3456, label: 'mAP (all relevant)' },
  hitAt: { 1: 0.5, 5: 1, 10: 1 },
  queries: 2,
  gallery: 12,
  results: [
    { id: 'v_walk_01', label: 0, className: 'walk', ap: 0.75, top: [
      { id: 'v_walk_07', label: 0, className: 'walk', score: 0.912 },
      { id: 'v_jump_02', label: 2, className: 'jump', score: 0.801 },
    ] },
    { id: 'v_run_03', label: 1, className: 'run', ap: 0.25, top: [
      { id: 'v_jump_04', label: 2, className: 'jump', score: 0.7 },
      { id: 'v_run_09', label: 1, className: 'run', score: 0.6 },
    ] },
  ],
  time: t,
};

function modelOf(events: EngineEvent[]): ConsoleModel {
  return events.reduce(reduce, initialModel());
}

function renderApp(model: ConsoleModel) {
  const sent: EngineCommand[] = [];
  const onQuit = vi.fn();
  const view = render(<App model={model} send={(c) => sent.push(c)} onQuit={onQuit} columns={100} rows={40} />);
  return { ...view, sent, onQuit };
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('console frames show the engine state they are given', () => {
  it('header, progress, losses, throughput', () => {
    const model = modelOf([run, { type: 'state', state: 'running', previous: 'idle', time: t }, step(0, 1, 2.2), step(1, 3, 1.5)]);
    const { lastFrame } = renderApp(model);
    const frame = lastFrame()!;
    expect(frame).toContain('method mnf-csc');
    expect(frame).toContain('native on CPU (2 threads)');
    expect(frame).toContain('RUNNING');
    expect(frame).toContain('2/4'); // epoch 2 of 4
    expect(frame).toContain('3/5'); // batch 3 of 5
    expect(frame).toContain('· 8 steps'); // global step of the last step event
    expect(frame).not.toContain('warning');
    expect(frame).toMatch(/CE student\s+1\.5000/);
    expect(frame).toMatch(/CSC\s+2\.5000/);
    expect(frame).toContain('12.3'); // clips/s
    expect(frame).toContain('2.1%'); // data wait
  });

  it('one step, one warning: singular words', () => {
    const model = modelOf([
      run,
      { type: 'state', state: 'running', previous: 'idle', time: t },
      step(0, 1, 2.2),
      { type: 'warning', message: 'v_07.hdf5: frame 3 is not a JPEG', source: 'data', count: 1, time: t },
    ]);
    const frame = renderApp(model).lastFrame()!;
    expect(frame).toContain('1/4'); // the first epoch is in progress
    expect(frame).toMatch(/· 1 step$/m);
    expect(frame).toContain('1 warning ·');
  });

  it('accuracy and gate panel, stamped with the epochs completed', () => {
    const model = modelOf([
      run,
      { type: 'eval', epoch: 1, step: 5, level: 'clip', mode: 'val', top1: 0.5, top5: 0.9, perClass: [], samples: 18, best: true, time: t },
      { type: 'gate', epoch: 1, step: 5, mean: 0.62, belowHalf: 0.31, histogram: [0, 1, 2, 8, 3], perClass: [
        { label: 0, name: 'walk', mean: 0.7 }, { label: 1, name: 'run', mean: 0.4 }, { label: 2, name: 'jump', mean: null },
      ], time: t },
    ]);
    const frame = renderApp(model).lastFrame()!;
    expect(frame).toMatch(/validation top-1 50\.0%/);
    expect(frame).toContain('top-5 90.0%');
    expect(frame).toContain('clip-level at step 5 (1 epoch done)');
    // the gate panel states what the headless gate line states, in the same words
    expect(frame).toContain(gateSummary(model.gate!));
    expect(frame).toContain('mean 0.620, 31.0% below 0.5');
    expect(frame).toMatch(/walk\s+0\.700/);
  });

  it('the log shows each event in the headless reporter’s words', () => {
    const events: EngineEvent[] = [
      run,
      { type: 'epoch', epoch: 1, step: 5, batches: 5, trainAccuracy: 0.4, losses: { ceStudent: 1.5 }, lr: { student: 3e-4, mnf: 6e-5 },
        clipsPerSecond: 12, dataWaitShare: 0.01, seconds: 1.2, time: t },
      { type: 'checkpoint', kind: 'last', path: '/tmp/run/checkpoint-last', epoch: 1, step: 5, top1: null, time: t },
    ];
    const model = modelOf(events);
    expect(model.log.map((l) => l.text)).toEqual([describeEvent(events[1]!), describeEvent(events[2]!)]);
    expect(model.log[0]!.text).toMatch(/^epoch 1 finished:/);
  });

  it('the retrieval pane lists a query’s matches with ✓/✗, its AP and the overall mAP', async () => {
    const { lastFrame, stdin, sent } = renderApp(modelOf([run, retrieval]));
    stdin.write('r');
    await tick();
    expect(sent).toContainEqual({ type: 'retrieve' });
    let frame = lastFrame()!;
    expect(frame).toContain('retrieval at step 10 (1 epoch done)');
    expect(frame).toContain('2 queries against 12 training videos');
    expect(frame).toContain('seed mAP@500 45.7%');
    expect(frame).toContain('mAP (all relevant) 34.6%');
    expect(frame).toMatch(/1\. ✓ 0\.912 v_walk_07/);
    expect(frame).toMatch(/2\. ✗ 0\.801 v_jump_02/);
    expect(frame).toContain('AP 75.0%');
    stdin.write('\u001B[B'); // down arrow
    await tick(200);
    frame = lastFrame()!;
    expect(frame).toContain('AP 25.0%');
    expect(frame).toMatch(/1\. ✗ 0\.700 v_jump_04/);
  });
});

describe('keys send the right commands', () => {
  it('s starts an idle engine, e evaluates, c saves', async () => {
    const { stdin, sent } = renderApp(modelOf([run]));
    for (const key of ['s', 'e', 'c']) {
      stdin.write(key);
      await tick();
    }
    expect(sent).toEqual([{ type: 'start' }, { type: 'eval' }, { type: 'save' }]);
  });

  it('p pauses a running engine and resumes a paused one', async () => {
    const running = renderApp(modelOf([run, { type: 'state', state: 'running', previous: 'idle', time: t }]));
    running.stdin.write('p');
    await tick();
    expect(running.sent).toEqual([{ type: 'pause' }]);
    const paused = renderApp(modelOf([run, { type: 'state', state: 'paused', previous: 'running', time: t }]));
    paused.stdin.write('p');
    await tick();
    expect(paused.sent).toEqual([{ type: 'resume' }]);
  });

  it('q asks first while training, then stops (which saves) and quits on y', async () => {
    const { stdin, sent, lastFrame, onQuit } = renderApp(modelOf([run, { type: 'state', state: 'running', previous: 'idle', time: t }]));
    stdin.write('q');
    await tick();
    expect(lastFrame()).toContain('save a checkpoint and quit? (y/n)');
    expect(onQuit).not.toHaveBeenCalled();
    stdin.write('y');
    await tick();
    expect(sent).toEqual([{ type: 'stop' }]);
    expect(onQuit).toHaveBeenCalledOnce();
  });

  it('q quits at once when nothing is training', async () => {
    const { stdin, sent, onQuit } = renderApp(modelOf([run]));
    stdin.write('q');
    await tick();
    expect(sent).toEqual([]);
    expect(onQuit).toHaveBeenCalledOnce();
  });

  it('? shows the help pane', async () => {
    const { stdin, lastFrame } = renderApp(modelOf([run]));
    stdin.write('?');
    await tick();
    expect(lastFrame()).toContain('choose a query in the retrieval pane');
  });
});
