import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import type { EngineCommand, EngineEvent, RetrievalEvent, StepEvent } from '../src/train/events.js';
import { describeEvent, gateSummary } from '../src/train/describe-event.js';
import { App } from '../src/tui/App.js';
import type { ColourDepth } from '../src/tui/colour.js';
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
  lr: { student: 3e-4, head: 6e-5 },
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

function renderApp(model: ConsoleModel, size = { columns: 100, rows: 40 }, colours: ColourDepth = 'none') {
  const sent: EngineCommand[] = [];
  const onQuit = vi.fn();
  const view = render(<App model={model} send={(c) => sent.push(c)} onQuit={onQuit} columns={size.columns} rows={size.rows} colours={colours} />);
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
    expect(frame).not.toContain('ranks');
  });

  it("a data-parallel job's step: each rank's throughput and data wait beside the job's", () => {
    const ranks = [
      { rank: 0, clipsPerSecond: 6.25, dataWaitShare: 0.012 },
      { rank: 1, clipsPerSecond: 5.5, dataWaitShare: 0.3 },
    ];
    const model = modelOf([run, { type: 'state', state: 'running', previous: 'idle', time: t }, { ...step(0, 1, 2.2), ranks }]);
    const frame = renderApp(model).lastFrame()!;
    expect(frame).toContain('clips/s 12.3 · ranks 6.3/5.5');
    expect(frame).toContain('data wait 2.1% · ranks 1.2%/30.0%');
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
      { type: 'gate', epoch: 1, step: 5, split: 'training', mean: 0.62, belowHalf: 0.31, histogram: [0, 1, 2, 8, 3], perClass: [
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
      { type: 'epoch', epoch: 1, step: 5, batches: 5, trainAccuracy: 0.4, losses: { ceStudent: 1.5 }, lr: { student: 3e-4, head: 6e-5 },
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

// ---- layout budget, gate diagnostics, declared terms, thumbnails ----------------------------

const ESC = '\u001B';
const stripEscapes = (text: string) => text.replace(/\u001B\[[0-9;]*m/g, '');
const CLASSES = ['DiscDrift', 'SquareOrbit', 'TriangleBounce', 'RingZigzag', 'CrossPulse', 'DiamondSpin'];
const videoId = (c: string, g: number) => `v_${c}_g${String(g).padStart(2, '0')}_c01`;

/** A solid-colour 8×8 thumbnail (base64 RGB). */
const solid = (r: number, g: number, b: number) => Buffer.from(Array.from({ length: 64 }, () => [r, g, b]).flat()).toString('base64');

/** A retrieval as the default dataset gives it: 18 queries with long ids, the seed's long labels, thumbnails. */
function wideRetrieval(withThumbnails: boolean): RetrievalEvent {
  const results = CLASSES.flatMap((c, label) =>
    [10, 11, 12].map((g) => ({
      id: videoId(c, g),
      label,
      className: c,
      ap: 0.8,
      top: Array.from({ length: 10 }, (_, r) => {
        const l = r < 8 ? label : (label + 1) % CLASSES.length;
        return { id: videoId(CLASSES[l]!, r + 1), label: l, className: CLASSES[l]!, score: 0.95 - r / 50 };
      }),
    })),
  );
  const rgb: Record<string, string> = {};
  for (const q of results) {
    rgb[q.id] = solid(250, 10, 20);
    for (const h of q.top) rgb[h.id] = solid(10, 200, 30);
  }
  return {
    type: 'retrieval',
    epoch: 30,
    step: 90,
    seedMapAtK: { k: 50, value: 0.78, queriesScored: 18, label: 'mAP@50 (seed: AP over hits inside the top 50; queries without a hit skipped)' },
    map: { value: 0.78, label: 'mAP (standard: AP over all relevant items)' },
    hitAt: { 1: 0.722, 5: 0.833, 10: 0.889 },
    queries: 18,
    gallery: 54,
    results,
    ...(withThumbnails ? { thumbnails: { size: 8, rgb } } : {}),
    time: t,
  };
}

const byTeacher = (auc: number) => ({
  clean: { count: 40, mean: 0.512, belowHalf: 0.45, score: 0.4 },
  irrelevant: { count: 14, mean: 0.471, belowHalf: 0.6, score: 0.55 },
  auc,
});

/** A long mnf-csc run: steps, epochs, evaluations, gate events of both splits with teacher truth, checkpoints. */
function busyRun(): EngineEvent[] {
  const events: EngineEvent[] = [runEvent({ classNames: CLASSES, config: { ...run.config, epochs: 30 } }), { type: 'state', state: 'running', previous: 'idle', time: t }];
  for (let e = 1; e <= 12; e++) {
    for (let b = 1; b <= 3; b++) events.push({ ...step(e - 1, b, 2 - e / 10), batchesPerEpoch: 3, step: (e - 1) * 3 + b });
    events.push({ type: 'epoch', epoch: e, step: e * 3, batches: 3, trainAccuracy: 0.3 + e / 30, losses: { ceStudent: 1.5 }, lr: { student: 3e-4, head: 6e-5 },
      clipsPerSecond: 90, dataWaitShare: 0.01, seconds: 0.5, time: t });
    events.push({ type: 'gate', epoch: e, step: e * 3, split: 'training', mean: 0.5 - e / 100, belowHalf: 0.5, histogram: [0, 1, 2, 8, 9, 3, 1, 0, 0, 0],
      perClass: CLASSES.map((name, label) => ({ label, name, mean: 0.49 + label / 200 })), byTeacher: byTeacher(0.5 + e / 40), time: t });
    events.push({ type: 'eval', epoch: e, step: e * 3, level: 'clip', mode: 'val', top1: 0.4 + e / 50, top5: 1, perClass: [], samples: 54, best: true, time: t });
    events.push({ type: 'gate', epoch: e, step: e * 3, split: 'validation', mean: 0.5, belowHalf: 0.5, histogram: [0, 1, 2, 8, 9, 3, 1, 0, 0, 0], perClass: [],
      byTeacher: byTeacher(0.5 + e / 60), time: t });
    events.push({ type: 'checkpoint', kind: 'last', path: '/tmp/run/checkpoint-last', epoch: e, batch: 3, step: e * 3, top1: 0.7, time: t });
  }
  return events;
}

/** Waits (up to 5 s) until the newest frame satisfies `ready`: key presses reach the app asynchronously. */
async function frameWhen(view: { lastFrame(): string | undefined }, ready: (frame: string) => boolean): Promise<string> {
  for (let waited = 0; ; waited += 20) {
    const frame = view.lastFrame() ?? '';
    if (ready(frame)) return frame;
    if (waited > 5000) throw new Error(`the frame never became ready:\n${frame}`);
    await tick(20);
  }
}
const showsRetrieval = (frame: string) => /query 1\/\d+ \(↑\/↓\)/.test(frame);
const showsTraining = (frame: string) => frame.includes('losses (per step)');

/** The frame: the rows under the log Ink prints above it (ink-testing-library keeps both in one string). */
function frameOf(output: string, rows: number): string[] {
  const lines = output.split('\n');
  return lines.slice(lines.length - (rows - 1));
}

describe('the console fits its terminal', () => {
  for (const [columns, rows] of [[80, 24], [100, 30], [60, 20]] as const) {
    it(`${columns}×${rows}: the header on the frame's first row, one row short of the terminal, no row wider than it`, async () => {
      const view = renderApp(modelOf([...busyRun(), wideRetrieval(true)]), { columns, rows }, 'truecolor');
      for (const pane of ['training', 'retrieval']) {
        const output = await frameWhen(view, pane === 'training' ? showsTraining : showsRetrieval);
        const frame = frameOf(output, rows);
        expect(frame[0], pane).toMatch(/^ mnf-tui · /);
        // exactly rows - 1 rows: the row above the header is the log's
        expect(output.split('\n').at(-rows)).not.toMatch(/mnf-tui · /);
        for (const line of frame) expect([...stripEscapes(line)].length, `${pane}: ${stripEscapes(line)}`).toBeLessThanOrEqual(columns);
        expect(stripEscapes(frame.at(-1)!)).toMatch(/q quit/);
        view.stdin.write('\t');
      }
    });
  }

  it('80×24: the retrieval pane shows every figure, 10 queries, all 10 matches and the pictures', async () => {
    const view = renderApp(modelOf([run, wideRetrieval(true)]), { columns: 80, rows: 24 }, 'truecolor');
    view.stdin.write('\t');
    const frame = frameOf(await frameWhen(view, showsRetrieval), 24).map(stripEscapes).join('\n');
    expect(frame).toContain('retrieval at step 90 (30 epochs done):');
    expect(frame).toContain('18 queries against 54 training videos');
    expect(frame).toMatch(/10\. ✗ 0\.770 v_SquareOrbit_g10_c01/);
    expect(frame).toContain('v_TriangleBounce_g10_c01');
    expect(frame).toMatch(/query\s+1\s+✓/);
  });
});

describe('thumbnails in the retrieval pane', () => {
  async function retrievalPane(colours: ColourDepth, withThumbnails = true) {
    const view = renderApp(modelOf([run, wideRetrieval(withThumbnails)]), { columns: 100, rows: 40 }, colours);
    view.stdin.write('\t');
    return frameOf(await frameWhen(view, showsRetrieval), 40);
  }
  const truecolour = (r: number, g: number, b: number, plane: 38 | 48) => new RegExp(`${ESC}\\[(?:[0-9;]*;)?${plane};2;${r};${g};${b}[;m]`);

  it('truecolor: the query and each match drawn in half blocks of their own colours, 4 rows of 8 cells each', async () => {
    const frame = await retrievalPane('truecolor');
    const pictureRows = frame.filter((line) => line.includes('▀'));
    expect(pictureRows).toHaveLength(4);
    for (const row of pictureRows) {
      // the query (red) first, then its matches (green): upper pixel in the foreground, lower in the background
      expect(row).toMatch(truecolour(250, 10, 20, 38));
      expect(row).toMatch(truecolour(250, 10, 20, 48));
      expect(row).toMatch(truecolour(10, 200, 30, 38));
      expect(row).toMatch(truecolour(10, 200, 30, 48));
      // query + 10 matches fit 100 columns: 11 pictures of 8 cells
      expect([...stripEscapes(row)].filter((c) => c === '▀')).toHaveLength(11 * 8);
    }
  });

  it('256 colours: the nearest colours of the cube', async () => {
    const frame = (await retrievalPane('256')).join('\n');
    expect(frame).toContain('▀');
    expect(frame).toMatch(new RegExp(`${ESC}\\[(?:[0-9;]*;)?38;5;196[;m]`));
    expect(frame).not.toMatch(/38;2;/);
  });

  it('no colour (or no thumbnails in the event): ids and labels only', async () => {
    for (const frame of [await retrievalPane('none'), await retrievalPane('truecolor', false)]) {
      const text = frame.join('\n');
      expect(text).not.toContain('▀');
      expect(text).not.toMatch(/[34]8;[25];/);
      expect(text).toMatch(/1\. ✓ 0\.950 v_DiscDrift_g01_c01\s+DiscDrift/);
    }
  });

  it('ids and class names are not cut when the pane has room', async () => {
    const text = (await retrievalPane('none')).join('\n');
    expect(text).toMatch(/v_TriangleBounce_g12_c01 TriangleBounce/);
    expect(text).toMatch(/9\. ✗ 0\.790 v_SquareOrbit_g09_c01\s+SquareOrbit/);
    expect(text).not.toContain('…');
  });
});

describe('gate panel: clean against irrelevant teacher features', () => {
  it('both distributions with the AUC per epoch of each split; the validation events do not replace the training view', () => {
    const model = modelOf(busyRun());
    expect(model.gate?.split).toBe('training');
    expect(model.validationGate?.split).toBe('validation');
    expect(model.gateAuc.training).toHaveLength(12);
    expect(model.gateAuc.validation).toHaveLength(12);
    const frame = stripEscapes(renderApp(model).lastFrame()!);
    expect(frame).toContain(gateSummary(model.gate!));
    expect(frame).toMatch(/clean\s+0\.512 \S+\s+45\.0%/);
    expect(frame).toMatch(/irrelevant\s+0\.471 \S+\s+60\.0%/);
    expect(frame).toMatch(/AUC training\s+0\.80 [▁▂▃▄▅▆▇█]{12}/);
    expect(frame).toMatch(/AUC validation\s+0\.70 [▁▂▃▄▅▆▇█]{12}/);
  });

  it('without teacher truth: today’s view, no AUC', () => {
    const model = modelOf([run, { type: 'gate', epoch: 1, step: 5, split: 'training', mean: 0.5, belowHalf: 0.5, histogram: [1, 2], perClass: [], time: t }]);
    const frame = renderApp(model).lastFrame()!;
    expect(frame).toContain('mean 0.500, 50.0% below 0.5');
    expect(frame).not.toContain('AUC');
    expect(frame).not.toContain('irrelevant');
  });
});

describe('loss terms and learning rates', () => {
  it('only the method’s declared terms, under their labels', () => {
    const ce = runEvent({ config: { ...run.config, method: 'ce' }, terms: [{ key: 'ceStudent', label: 'CE student' }] });
    const frame = renderApp(modelOf([ce, { ...step(0, 1, 2.2), losses: { ceStudent: 2.2, csc: 0, ceMnf: 0 } }])).lastFrame()!;
    expect(frame).toMatch(/CE student\s+2\.2000/);
    expect(frame).not.toContain('CSC');
    expect(frame).not.toContain('CE MNF');
  });

  it('a run event without terms: the keys the steps carry', () => {
    const old = { ...run, terms: undefined } as unknown as EngineEvent;
    const frame = renderApp(modelOf([old, { ...step(0, 1, 2.2), losses: { ceStudent: 2.2, someTerm: 0.7 } }])).lastFrame()!;
    expect(frame).toMatch(/CE student\s+2\.2000/);
    expect(frame).toMatch(/someTerm\s+0\.7000/);
  });

  it('the head’s learning rate as lr.head, or lr.mnf from before the rename', () => {
    expect(renderApp(modelOf([run, step(0, 1, 2)])).lastFrame()).toContain('lr student 3.0e-4 · head 6.0e-5');
    const old = { ...step(0, 1, 2), lr: { student: 3e-4, mnf: 7e-5 } } as unknown as StepEvent;
    expect(renderApp(modelOf([run, old])).lastFrame()).toContain('lr student 3.0e-4 · head 7.0e-5');
  });
});
