import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyWorld, type TinyWorld } from './engine-fixture.js';

const root = join(__dirname, '..');
function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], { encoding: 'utf8', cwd: root, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let world: TinyWorld;
beforeAll(async () => {
  world = await tinyWorld();
});
afterAll(() => world?.cleanup());

describe('mnf-tui train --headless', () => {
  it('trains one epoch: exit 0, JSON Lines on stdout, text on stderr, and a complete run folder; eval and retrieve read it', () => {
    const out = join(world.root, 'run');
    const r = cli(['train', '--headless', '--preset', 'tiny', '--epochs', '1', '--batch', '3', '--dataset', world.dataset, '--out', out, '--backend', 'native']);
    expect(r.stderr).toMatch(/epoch 1 finished: train acc/);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    const types = new Set(lines.map((l) => l.type));
    for (const t of ['state', 'run', 'step', 'epoch', 'gate', 'eval', 'retrieval', 'checkpoint', 'done']) expect(types).toContain(t);
    expect(lines.at(-1)).toMatchObject({ type: 'state', state: 'done' });

    expect(readdirSync(out).sort()).toEqual(['checkpoint-best', 'checkpoint-last', 'config.json', 'events.jsonl', 'results.json']);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ preset: 'tiny', epochs: 1, batch: 3, dataset: world.dataset });
    expect(readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n')).toHaveLength(lines.length);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ method: 'mnf-csc', epochs: 1, backend: 'native', steps: 2 });
    expect(results.test.top1).toBeGreaterThanOrEqual(0);
    expect(results.retrieval.seedMapAtK.label).toMatch(/seed/);
    expect(existsSync(join(out, 'checkpoint-last', 'manifest.json'))).toBe(true);

    const ev = cli(['eval', '--checkpoint', out, '--json', '--backend', 'native']);
    expect(ev.code).toBe(0);
    const report = JSON.parse(ev.stdout);
    expect(report.validation).toMatchObject({ level: 'clip', samples: 9 });
    expect(report.test).toMatchObject({ level: 'video', samples: 3 });
    // the checkpoint's test figure is the run's final one
    expect(report.test.top1).toBeCloseTo(results.test.top1, 6);

    const rt = cli(['retrieve', '--checkpoint', join(out, 'checkpoint-last'), '--k', '4', '--json', '--backend', 'native']);
    expect(rt.code).toBe(0);
    const retrieval = JSON.parse(rt.stdout);
    expect(retrieval.seedMapAtK.k).toBe(4);
    expect(retrieval.results).toHaveLength(3);
    expect(retrieval.results[0].top[0]).toEqual({ id: expect.any(String), label: expect.any(Number), className: expect.any(String), score: expect.any(Number) });
  }, 180_000);

  it('--resume DIR continues a run folder for more epochs, in the same folder', () => {
    const out = join(world.root, 'run');
    const before = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').length;
    const r = cli(['train', '--headless', '--resume', out, '--epochs', '2', '--backend', 'native']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((e) => e.type === 'run')).toMatchObject({ resumedFrom: { epoch: 1, step: 2, path: join(out, 'checkpoint-last') }, out });
    expect(lines.filter((e) => e.type === 'step').map((e) => e.epoch)).toEqual([1, 1]);
    expect(readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n')).toHaveLength(before + lines.length);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toMatchObject({ epochs: 2, steps: 4 });
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toMatchObject({ epochs: 2, batch: 3 });
  }, 120_000);

  it('a wrong flag exits non-zero with one line', () => {
    const r = cli(['train', '--headless', '--epoch', '1']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--epoch/);
    // the JSON stream ends with the same error
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ type: 'error', message: expect.stringMatching(/--epoch/), time: expect.any(Number) }]);
  });

  it('a bad config file is a usage error (exit 2) with one line naming the file and the key', () => {
    const file = join(world.root, 'bad.json');
    writeFileSync(file, JSON.stringify({ epochs: 1, learningRate: 0.1 }));
    const r = cli(['train', '--headless', '--config', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mnf-tui: .*bad\.json: unknown key 'learningRate' \(known keys: /);
    writeFileSync(file, JSON.stringify({ batch: 'eight' }));
    const wrongType = cli(['train', '--headless', '--config', file]);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr.trim()).toBe(`mnf-tui: ${file}: 'batch' must be an integer >= 2, got "eight"`);
  });

  it('--resume refuses flags that would change the run', () => {
    const r = cli(['train', '--headless', '--resume', join(world.root, 'nowhere'), '--method', 'ce']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/--method cannot be changed/);
  });
});

describe('interrupting a headless run', () => {
  it('Ctrl-C stops at the next step, saves checkpoint-last and exits 130', async () => {
    const { spawn } = await import('node:child_process');
    const out = join(world.root, 'interrupted');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'train', '--headless', '--preset', 'tiny', '--epochs', '5', '--batch', '3', '--dataset', world.dataset, '--out', out, '--backend', 'native'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const before = stdout.includes('"type":"step"');
      stdout += chunk.toString();
      if (!before && stdout.includes('"type":"step"')) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; reason?: string });
    expect(events.find((e) => e.type === 'done')).toMatchObject({ reason: 'stopped' });
    expect(existsSync(join(out, 'checkpoint-last', 'manifest.json'))).toBe(true);
    expect(existsSync(join(out, 'results.json'))).toBe(true);
  }, 120_000);
});
