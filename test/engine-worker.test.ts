import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../src/train/client.js';
import type { EngineEvent } from '../src/train/events.js';
import { tinyWorld, type TinyWorld } from './engine-fixture.js';

let world: TinyWorld;
beforeAll(async () => {
  world = await tinyWorld();
});
afterAll(() => world?.cleanup());

describe('engine in a worker thread', () => {
  it('streams events to the caller, takes commands by message and ends with done', async () => {
    const handle = startEngine(world.config({ epochs: 2 }), { out: null, backend: 'native', finalEvaluation: false });
    const seen: EngineEvent[] = [];
    let ticks = 0;
    // the caller's thread stays free while the worker trains
    const timer = setInterval(() => ticks++, 5);
    handle.on((e) => {
      if (e.type === 'run') handle.send({ type: 'start' });
      if (e.type === 'step' && e.step === 1) handle.send({ type: 'retrieve', k: 3 });
      if (e.type === 'retrieval') handle.send({ type: 'stop' });
    });
    for await (const e of handle.events()) seen.push(e);
    clearInterval(timer);
    const exit = await handle.done;
    expect(exit.state).toBe('done');
    expect(ticks).toBeGreaterThan(0);
    const types = seen.map((e) => e.type);
    expect(types).toContain('retrieval');
    expect(seen.find((e) => e.type === 'done')).toMatchObject({ reason: 'stopped' });
    // the retrieval was served at the boundary after step 1, and stop at the one after it
    expect(seen.filter((e) => e.type === 'step').length).toBeLessThanOrEqual(2);
    expect(seen.at(-1)).toMatchObject({ type: 'state', state: 'done' });
  }, 60_000);

  it('reports a failure as an error event and a failed exit', async () => {
    const handle = startEngine(world.config({ dataset: '/nonexistent/dataset' }), { out: null, backend: 'native', autoStart: true });
    const seen: EngineEvent[] = [];
    handle.on((e) => seen.push(e));
    const exit = await handle.done;
    expect(exit).toMatchObject({ state: 'failed', error: expect.stringMatching(/nonexistent\/dataset: dataset folder not found/) });
    expect(seen.filter((e) => e.type === 'error')).toHaveLength(1);
  }, 60_000);
});
