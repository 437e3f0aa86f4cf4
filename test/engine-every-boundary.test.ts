// Fault 1 of issue 11: a save or stop at any step boundary — an epoch's last batch, an epoch's
// start, the run's very last step — resumes to the same weights as a run never interrupted.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../src/train/checkpoint.js';
import { defaultSetup } from '../src/train/engine-setup.js';
import type { CheckpointEvent, EngineEvent, EpochEvent, StepEvent } from '../src/train/events.js';
import { startEngineInProcess } from '../src/train/in-process.js';
import type { TensorState } from '../src/train/types.js';
import { record, tinyWorld, type TinyWorld } from './engine-fixture.js';

let world: TinyWorld;
beforeAll(async () => {
  world = await tinyWorld();
});
afterAll(() => world?.cleanup());

const EPOCHS = 3;

function maxDifference(a: TensorState, b: TensorState): number {
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  let worst = 0;
  for (const name of Object.keys(a)) {
    for (let i = 0; i < a[name].data.length; i++) worst = Math.max(worst, Math.abs(a[name].data[i] - b[name].data[i]));
  }
  return worst;
}

/** Trains to EPOCHS; `onEvent` may send commands. Resolves with the events once the run is done. */
async function run(out: string, batch: number, resume?: string, onEvent?: (e: EngineEvent, send: (c: Parameters<ReturnType<typeof startEngineInProcess>['send']>[0]) => void) => void) {
  const handle = startEngineInProcess(
    world.config({ epochs: EPOCHS, batch, evalEvery: 1 }),
    { out, resume, backend: 'native', autoStart: true, finalEvaluation: false },
    defaultSetup(),
  );
  const events = record(handle);
  if (onEvent) handle.on((e) => onEvent(e, (c) => handle.send(c)));
  const exit = await handle.done;
  expect(exit.error).toBeNull();
  return events;
}

const steps = (events: EngineEvent[]) => events.filter((e): e is StepEvent => e.type === 'step');
const epochs = (events: EngineEvent[]) => events.filter((e): e is EpochEvent => e.type === 'epoch');

describe.each([
  { batch: 3, batchesPerEpoch: 2 },
  { batch: 6, batchesPerEpoch: 1 },
])('every step boundary resumes exactly (batch $batch, batches per epoch: $batchesPerEpoch)', ({ batch, batchesPerEpoch }) => {
  it('saves at each boundary and resumes from each save to the uninterrupted final weights', async () => {
    const root = join(world.root, `every-${batch}`);
    const straight = await run(join(root, 'straight'), batch);
    const final = readCheckpoint(join(root, 'straight', 'checkpoint-last'));
    expect(final.meta.step).toBe(EPOCHS * batchesPerEpoch);

    // a save after every step (it lands at the next boundary: mid-epoch, or the epoch's end before
    // its summary), after every epoch (the next epoch's start; after the last: training complete),
    // and one before the first step
    const saves: { dir: string; epoch: number; batch: number; step: number }[] = [];
    const saving = await run(join(root, 'saving'), batch, undefined, (e, send) => {
      if (e.type === 'run') send({ type: 'save' });
      if (e.type === 'step' || e.type === 'epoch') send({ type: 'save' });
      if (e.type === 'checkpoint' && e.kind === 'last') {
        const dir = join(root, 'saves', String(saves.length));
        cpSync(e.path, dir, { recursive: true });
        saves.push({ dir, epoch: e.epoch, batch: e.batch, step: e.step });
      }
    });
    expect(steps(saving).map((s) => s.losses)).toEqual(steps(straight).map((s) => s.losses));
    const positions = saves.map((s) => `${s.epoch}.${s.batch}`);
    // each epoch's last batch (batch = batchesPerEpoch) and the run's end are among them
    for (let e = 0; e < EPOCHS; e++) expect(positions).toContain(`${e}.${batchesPerEpoch}`);
    expect(positions).toContain(`${EPOCHS}.0`);
    expect(positions).toContain('0.0');

    for (const save of saves) {
      const out = join(root, 'resumed', saves.indexOf(save).toString());
      mkdirSync(out, { recursive: true });
      cpSync(save.dir, join(out, 'checkpoint-last'), { recursive: true });
      const resumed = await run(out, batch, join(out, 'checkpoint-last'));
      const label = `resumed from epoch ${save.epoch} batch ${save.batch} (step ${save.step})`;
      // the steps still to do, with the uninterrupted run's losses
      expect(steps(resumed).map((s) => [s.epoch, s.batch, s.step, s.losses]), label).toEqual(
        steps(straight).filter((s) => s.step > save.step).map((s) => [s.epoch, s.batch, s.step, s.losses]),
      );
      // an epoch whose end was still to run is summarised as if nothing had stopped
      const expectedEpochs = epochs(straight).filter((x) => x.epoch > save.epoch);
      expect(epochs(resumed).map((x) => [x.epoch, x.batches, x.trainAccuracy, x.losses]), label).toEqual(
        expectedEpochs.map((x) => [x.epoch, x.batches, x.trainAccuracy, x.losses]),
      );
      const after = readCheckpoint(join(out, 'checkpoint-last'));
      expect(after.meta.step, label).toBe(final.meta.step);
      expect(maxDifference(final.state, after.state), label).toBeLessThanOrEqual(1e-6);
    }
  }, 300_000);

  it('a stop on an epoch\'s last batch writes a checkpoint that resumes to the uninterrupted weights', async () => {
    const root = join(world.root, `stop-last-${batch}`);
    await run(join(root, 'straight'), batch);
    const final = readCheckpoint(join(root, 'straight', 'checkpoint-last'));
    const out = join(root, 'stopped');
    const events = await run(out, batch, undefined, (e, send) => {
      if (e.type === 'step' && e.epoch === 1 && e.batch === batchesPerEpoch) send({ type: 'stop' });
    });
    const done = events.find((e) => e.type === 'done');
    expect(done?.type === 'done' && done.reason).toBe('stopped');
    const last = events.filter((e): e is CheckpointEvent => e.type === 'checkpoint').at(-1)!;
    expect([last.epoch, last.batch, last.step]).toEqual([1, batchesPerEpoch, 2 * batchesPerEpoch]);
    const resumed = await run(out, batch, join(out, 'checkpoint-last'));
    expect(epochs(resumed).map((x) => x.epoch)).toEqual([2, 3]);
    expect(maxDifference(final.state, readCheckpoint(join(out, 'checkpoint-last')).state)).toBeLessThanOrEqual(1e-6);
  }, 120_000);
});
