// Issue 11, faults 1, 5 and 7: a stop during an evaluation or retrieval abandons it, the run says
// 'stopped', and --resume repeats what was abandoned; results.json states the epoch and step
// every figure follows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSetup } from '../src/train/engine-setup.js';
import type { EngineCommand, EngineEvent } from '../src/train/events.js';
import { startEngineInProcess } from '../src/train/in-process.js';
import { record, tinyWorld, type TinyWorld } from './engine-fixture.js';

let world: TinyWorld;
beforeAll(async () => {
  world = await tinyWorld();
});
afterAll(() => world?.cleanup());

async function run(out: string, options: { epochs: number; resume?: string; autoStart?: boolean; finalEvaluation?: boolean }, onEvent?: (e: EngineEvent, send: (c: EngineCommand) => void) => void) {
  const handle = startEngineInProcess(
    world.config({ epochs: options.epochs }),
    { out, resume: options.resume, backend: 'native', autoStart: options.autoStart ?? true, finalEvaluation: options.finalEvaluation ?? true },
    defaultSetup(),
  );
  const events = record(handle);
  if (onEvent) handle.on((e) => onEvent(e, (c) => handle.send(c)));
  const exit = await handle.done;
  expect(exit.error).toBeNull();
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  return { events, results };
}

describe('a stop during evaluation', () => {
  it('during the final evaluation: reason stopped (not completed), no retrieval; --resume runs only the final evaluation', async () => {
    const out = join(world.root, 'final');
    const stopped = await run(out, { epochs: 1 }, (e, send) => {
      if (e.type === 'eval' && e.level === 'video') send({ type: 'stop' });
    });
    expect(stopped.results.reason).toBe('stopped');
    expect(stopped.results.retrieval).toBeNull();
    expect(stopped.events.some((e) => e.type === 'retrieval')).toBe(false);
    // the checkpoint after the last epoch already stood where the run stopped: not written again
    expect(stopped.events.filter((e) => e.type === 'checkpoint' && e.kind === 'last')).toHaveLength(1);

    const resumed = await run(out, { epochs: 1, resume: join(out, 'checkpoint-last') });
    expect(resumed.events.some((e) => e.type === 'step')).toBe(false);
    expect(resumed.results).toMatchObject({ reason: 'completed', epochs: 1, steps: 2 });
    expect(resumed.results.retrieval).toMatchObject({ epoch: 1, step: 2 });
    expect(resumed.results.test).toMatchObject({ epoch: 1, step: 2 });
  }, 120_000);

  it('during the scheduled validation at an epoch\'s end: the checkpoint is that epoch\'s end, which --resume repeats', async () => {
    const out = join(world.root, 'scheduled');
    const stopped = await run(out, { epochs: 2, finalEvaluation: false }, (e, send) => {
      if (e.type === 'epoch' && e.epoch === 2) send({ type: 'stop' });
    });
    expect(stopped.results.reason).toBe('stopped');
    const last = stopped.events.filter((e) => e.type === 'checkpoint').at(-1);
    expect(last).toMatchObject({ kind: 'last', epoch: 1, batch: 2, step: 4 });
    const resumed = await run(out, { epochs: 2, resume: join(out, 'checkpoint-last'), finalEvaluation: false });
    expect(resumed.events.filter((e) => e.type === 'epoch').map((e) => e.epoch)).toEqual([2]);
    expect(resumed.events.find((e) => e.type === 'eval')).toMatchObject({ epoch: 2, step: 4, mode: 'val' });
    expect(resumed.results).toMatchObject({ reason: 'completed', epochs: 2, validation: { epoch: 2, step: 4 } });
  }, 120_000);

  it('a retrieval pressed before start, then a stop: results.json says it follows epoch 0, step 0', async () => {
    const out = join(world.root, 'early-retrieval');
    const { results } = await run(out, { epochs: 2, autoStart: false }, (e, send) => {
      if (e.type === 'run') send({ type: 'retrieve' });
      if (e.type === 'retrieval') send({ type: 'stop' });
    });
    expect(results.reason).toBe('stopped');
    expect(results.retrieval).toMatchObject({ epoch: 0, step: 0 });
    expect(results.steps).toBe(0);
  }, 120_000);
});
