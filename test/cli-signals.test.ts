// Issue 11, faults 1 and 5, with real signals: SIGINT to a headless run with one batch per epoch
// (every stop lands on an epoch's last batch) resumes to completion; a second Ctrl-C aborts with
// exit 130 and says what was kept.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startCli } from './cli-process.js';
import { tinyWorld, type TinyWorld } from './engine-fixture.js';
import { miniDir } from './data-helpers.js';

let world: TinyWorld;
beforeAll(async () => {
  world = await tinyWorld();
});
afterAll(() => world?.cleanup());

describe('signals', () => {
  it('SIGINT to a headless run with one batch per epoch, then --resume: exit 130, then exit 0 with every epoch trained', async () => {
    // the reproduction of the issue: ucf51-mini (6 training videos) with --batch 6; the generated
    // dataset has 6 training videos too, for machines without ../shared
    const dataset = existsSync(miniDir) ? miniDir : world.dataset;
    const out = join(world.root, 'sigint');
    const args = ['train', '--headless', '--preset', 'tiny', '--epochs', '3', '--batch', '6', '--dataset', dataset, '--out', out, '--backend', 'native'];
    const run = startCli(args);
    await run.waitForEvent((e) => e.type === 'step');
    run.child.kill('SIGINT');
    expect(await run.exit, run.stderr()).toBe(130);
    const stopped = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(stopped.reason).toBe('stopped');

    const resumed = cli(['train', '--headless', '--resume', out, '--backend', 'native']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ reason: 'completed', epochs: 3, steps: 3 });
  }, 240_000);

  it('a second Ctrl-C aborts at once: exit 130, "aborted without saving", the checkpoint written before stays loadable', async () => {
    const out = join(world.root, 'double');
    // steps of a few hundred milliseconds, so the second signal arrives while one is running
    const config = join(world.root, 'slow.json');
    writeFileSync(config, JSON.stringify({ size: 112, clipLength: 8 }));
    const run = startCli(['train', '--headless', '--preset', 'tiny', '--config', config, '--epochs', '5', '--batch', '3', '--dataset', world.dataset, '--out', out, '--backend', 'native']);
    await run.waitForEvent((e) => e.type === 'checkpoint');
    await run.waitForEvent((e) => e.type === 'step' && e.step === 3);
    run.child.kill('SIGINT');
    await run.waitForStderr('Ctrl-C again to abort without saving');
    run.child.kill('SIGINT');
    expect(await run.exit, run.stderr()).toBe(130);
    expect(run.stderr()).toMatch(/aborted without saving; checkpoint-last is the one from step 2: .*checkpoint-last/);
    expect(run.stderr()).not.toMatch(/engine worker exited/);
    // the run folder's lock went with the process
    expect(existsSync(join(out, 'run.lock'))).toBe(false);
    const ev = cli(['eval', '--checkpoint', out, '--json', '--backend', 'native']);
    expect(ev.code, ev.stderr).toBe(0);
  }, 240_000);
});
