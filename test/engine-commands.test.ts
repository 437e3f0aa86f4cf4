import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineInProcess } from '../src/train/in-process.js';
import { defaultSetup } from '../src/train/engine-setup.js';
import type { EngineEvent, EngineState } from '../src/train/events.js';
import { record, tinyWorld, type TinyWorld } from './engine-fixture.js';

let world: TinyWorld;
beforeAll(async () => {
  world = await tinyWorld();
});
afterAll(() => world?.cleanup());

const states = (events: EngineEvent[]) => events.filter((e) => e.type === 'state').map((e) => (e as { state: EngineState }).state);

describe('engine state machine and commands', () => {
  it('waits idle for start, pauses at the next step boundary, serves eval/save while paused, resumes and stops', async () => {
    const out = join(world.root, 'commands');
    const handle = startEngineInProcess(world.config({ epochs: 3 }), { out, backend: 'native', finalEvaluation: false }, defaultSetup());
    const events = record(handle);
    handle.on((e) => {
      if (e.type === 'run') handle.send({ type: 'start' });
      if (e.type === 'step' && e.step === 1) handle.send({ type: 'pause' });
      if (e.type === 'state' && e.state === 'paused' && e.previous === 'running') {
        handle.send({ type: 'eval' });
        handle.send({ type: 'save' });
        handle.send({ type: 'resume' });
      }
      if (e.type === 'step' && e.step === 2) handle.send({ type: 'stop' });
    });
    const exit = await handle.done;
    expect(exit.state).toBe('done');
    expect(states(events)).toEqual(['idle', 'running', 'paused', 'evaluating', 'paused', 'running', 'done']);

    const types = events.map((e) => e.type);
    // pause took effect right after step 1: nothing trained while paused
    const paused = events.findIndex((e) => e.type === 'state' && e.state === 'paused');
    const resumed = events.findIndex((e, i) => i > paused && e.type === 'state' && e.state === 'running');
    const whilePaused = events.slice(paused, resumed);
    expect(whilePaused.some((e) => e.type === 'step')).toBe(false);
    expect(whilePaused.filter((e) => e.type === 'eval')).toHaveLength(1);
    expect(whilePaused.find((e) => e.type === 'checkpoint')).toMatchObject({ kind: 'last', step: 1 });
    // stop after step 2: checkpoint, done
    expect(types.filter((t) => t === 'step')).toHaveLength(2);
    const done = events.find((e) => e.type === 'done');
    expect(done).toMatchObject({ reason: 'stopped', step: 2 });
    expect(events.filter((e) => e.type === 'checkpoint').at(-1)).toMatchObject({ kind: 'last', step: 2 });
  }, 60_000);

  it('emits every loss term, learning rates, throughput, data-wait share and gate statistics', async () => {
    const handle = startEngineInProcess(world.config({ epochs: 1 }), { out: null, backend: 'native', autoStart: true }, defaultSetup());
    const events = record(handle);
    const exit = await handle.done;
    expect(exit.error).toBeNull();
    const step = events.find((e) => e.type === 'step');
    expect(step).toMatchObject({ epoch: 0, step: 1, batch: 1, batchesPerEpoch: 2, lr: { student: 3e-3, head: 6e-4 } });
    if (step?.type !== 'step') throw new Error('no step event');
    expect(Object.keys(step.losses)).toEqual(['ceStudent', 'csc', 'ceMnf', 'triplet', 'gateL1']);
    expect(step.clipsPerSecond).toBeGreaterThan(0);
    expect(step.dataWaitShare).toBeGreaterThanOrEqual(0);
    expect(step.dataWaitShare).toBeLessThanOrEqual(1);

    const gate = events.find((e) => e.type === 'gate');
    if (gate?.type !== 'gate') throw new Error('no gate event');
    expect(gate.split).toBe('training');
    expect(gate.mean).toBeGreaterThan(0);
    expect(gate.mean).toBeLessThan(1);
    expect(gate.perClass.map((c) => c.name)).toHaveLength(3);
    expect(gate.histogram.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);

    const evals = events.filter((e) => e.type === 'eval');
    expect(evals.map((e) => e.type === 'eval' && `${e.level}/${e.mode}`)).toEqual(['clip/val', 'video/test']);
    const video = evals[1];
    if (video.type !== 'eval') throw new Error('no eval');
    expect(video.samples).toBe(3); // one validation video per class
    const retrieval = events.find((e) => e.type === 'retrieval');
    if (retrieval?.type !== 'retrieval') throw new Error('no retrieval event');
    expect(retrieval.results).toHaveLength(3);
    expect(retrieval.results[0].top).toHaveLength(6); // every training video, fewer than 10
    expect(retrieval.gallery).toBe(6);
    expect(states(events).at(-1)).toBe('done');
  }, 60_000);

  it('stop before start ends the run without writing a checkpoint', async () => {
    const out = join(world.root, 'never-started');
    const handle = startEngineInProcess(world.config(), { out, backend: 'native' }, defaultSetup());
    handle.on((e) => {
      if (e.type === 'run') handle.send({ type: 'stop' });
    });
    const events = record(handle);
    const exit = await handle.done;
    expect(exit.state).toBe('done');
    expect(states(events)).toEqual(['idle', 'done']);
    expect(events.some((e) => e.type === 'checkpoint' || e.type === 'step')).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toMatchObject({ reason: 'stopped', steps: 0 });
    expect(existsSync(join(out, 'checkpoint-last'))).toBe(false);
  }, 60_000);

  it('a corrupt video is skipped with a warning event naming the file, and training goes on', async () => {
    const copy = join(world.root, 'dataset-with-fault');
    cpSync(world.dataset, copy, { recursive: true });
    const videos = join(copy, 'video_set_4fps');
    const victim = readdirSync(videos).sort()[0];
    writeFileSync(join(videos, victim), 'not an HDF5 file');
    const handle = startEngineInProcess(world.config({ dataset: copy, epochs: 1 }), { out: null, backend: 'native', autoStart: true, finalEvaluation: false }, defaultSetup());
    const events = record(handle);
    const exit = await handle.done;
    expect(exit.error).toBeNull();
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings.some((w) => w.type === 'warning' && w.source === 'data' && w.message.includes(victim))).toBe(true);
    expect(events.some((e) => e.type === 'step')).toBe(true);
  }, 60_000);

  it('fails with one line and state failed when the dataset cannot be opened', async () => {
    const handle = startEngineInProcess(world.config({ dataset: join(world.root, 'missing') }), { out: null, backend: 'native', autoStart: true }, defaultSetup());
    const events = record(handle);
    const exit = await handle.done;
    expect(exit.state).toBe('failed');
    expect(exit.error).toMatch(/missing: dataset folder not found/);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ message: exit.error });
    expect(states(events).at(-1)).toBe('failed');
  });
});
