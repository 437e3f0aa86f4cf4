// Methods declare their loss terms: steps, epochs, events.jsonl and the run event carry exactly
// those; the MNF method's gate statistics (its own reducer) reach the gate events and results.json,
// split by teacher truth.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/presets.js';
import { METHOD_NAMES, type RunConfig } from '../src/config/types.js';
import { makeSynthetic } from '../src/data/synthetic.js';
import { readTeacherTruth } from '../src/data/teacher-truth.js';
import { METHOD_TERMS } from '../src/methods/terms.js';
import { defaultSetup } from '../src/train/engine-setup.js';
import type { EngineEvent, GateEvent, RunResults } from '../src/train/events.js';
import { startEngineInProcess } from '../src/train/in-process.js';
import { createTrainer } from '../src/train/trainer.js';
import { addonProblem } from '../src/native/addon.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { makeBatch, microConfig } from './trainer-fixture.js';

const keys = (method: keyof typeof METHOD_TERMS) => METHOD_TERMS[method].map((t) => t.key);

describe('each method reports exactly its declared terms', () => {
  beforeAll(() => useBackend(TEST_BACKENDS.includes('native') ? 'native' : 'cpu'));

  it.each(METHOD_NAMES)('%s: one step reports its terms, in order, and no others', async (method) => {
    const trainer = createTrainer(microConfig({ method }));
    expect(trainer.terms.map((t) => t.key)).toEqual(keys(method));
    const result = await trainer.step(makeBatch(1));
    expect(Object.keys(result.losses)).toEqual(keys(method));
    expect(result.gate !== undefined).toBe(trainer.gateStatistics !== undefined);
    trainer.dispose();
  }, 30_000);

  it('ce declares only the student CE; mnf-csc its four MNF terms besides', () => {
    expect(METHOD_TERMS.ce).toEqual([{ key: 'ceStudent', label: 'CE student' }]);
    expect(keys('mnf-csc')).toEqual(['ceStudent', 'csc', 'ceMnf', 'triplet', 'gateL1']);
  });
});

describe.skipIf(addonProblem() !== undefined)('a run carries only its method\'s terms and its gate statistics', () => {
  let root: string;
  let dataset: string;
  const config = (method: RunConfig['method']) =>
    resolveConfig('tiny', { dataset, method, batch: 3, clipLength: 4, size: 16, epochs: 1, model: { numClasses: 3, featureDim: 32 } });

  async function run(method: RunConfig['method']) {
    const out = join(root, method);
    const handle = startEngineInProcess(config(method), { out, backend: 'native', autoStart: true }, defaultSetup());
    const exit = await handle.done;
    expect(exit.error).toBeNull();
    const events = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EngineEvent);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    return { events, results };
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mnf-terms-'));
    dataset = join(root, 'dataset');
    // 3 classes × 4 videos (3 training, 1 validation), half of them with an irrelevant teacher feature
    await makeSynthetic({ out: dataset, classes: 3, videosPerClass: 4, frames: 6, size: 16, noise: 0.5, seed: 11, valFraction: 0.25 });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('ce: the run event lists its one term; step and epoch events in events.jsonl hold only it; no gate', async () => {
    const { events, results } = await run('ce');
    const runEvent = events.find((e) => e.type === 'run');
    expect(runEvent).toMatchObject({ terms: [{ key: 'ceStudent', label: 'CE student' }] });
    const withLosses = events.filter((e) => e.type === 'step' || e.type === 'epoch');
    expect(withLosses.length).toBeGreaterThan(0);
    for (const e of withLosses) if (e.type === 'step' || e.type === 'epoch') expect(Object.keys(e.losses)).toEqual(['ceStudent']);
    for (const e of events) if (e.type === 'step') expect(Object.keys(e.lr)).toEqual(['student', 'head']);
    expect(events.some((e) => e.type === 'gate')).toBe(false);
    expect(results.gate).toBeNull();
  }, 120_000);

  it('mnf-csc: its declared terms; training and validation gate events split by teacher truth; results.json keeps them', async () => {
    const { events, results } = await run('mnf-csc');
    expect(events.find((e) => e.type === 'run')).toMatchObject({ terms: METHOD_TERMS['mnf-csc'] });
    for (const e of events) if (e.type === 'step' || e.type === 'epoch') expect(Object.keys(e.losses)).toEqual(keys('mnf-csc'));

    const truth = readTeacherTruth(dataset)!;
    const groupCount = (subset: 'training' | 'validation', clean: boolean) => {
      const ids = JSON.parse(readFileSync(join(dataset, 'annotation.json'), 'utf8')).database as Record<string, { subset: string }>;
      return Object.entries(ids).filter(([id, v]) => v.subset === subset && (truth.videos[id]!.source === 'own') === clean).length;
    };
    const gates = events.filter((e): e is GateEvent => e.type === 'gate');
    expect(gates.map((g) => g.split)).toEqual(['training', 'validation']);
    const [training, validation] = gates;
    // one epoch of 3 batches of 3 covers the 9 training videos once; validation scores 3 clips per video
    expect(training!.byTeacher!.clean.count).toBe(groupCount('training', true));
    expect(training!.byTeacher!.irrelevant.count).toBe(groupCount('training', false));
    expect(validation!.byTeacher!.clean.count).toBe(3 * groupCount('validation', true));
    expect(validation!.byTeacher!.irrelevant.count).toBe(3 * groupCount('validation', false));
    for (const g of gates) {
      const { clean, irrelevant, auc } = g.byTeacher!;
      for (const group of [clean, irrelevant]) if (group.count > 0) expect(group.mean).toBeGreaterThan(0);
      if (clean.count > 0 && irrelevant.count > 0) {
        expect(auc).toBeGreaterThanOrEqual(0);
        expect(auc).toBeLessThanOrEqual(1);
      } else expect(auc).toBeNull();
    }
    expect(results.gate!.score).toMatch(/^1 - cos\(ã, a\)/);
    expect(results.gate!.epochs).toEqual([
      {
        epoch: 1,
        step: training!.step,
        training: { mean: training!.mean, belowHalf: training!.belowHalf, byTeacher: training!.byTeacher },
        validation: { mean: validation!.mean, belowHalf: validation!.belowHalf, byTeacher: validation!.byTeacher },
      },
    ]);
  }, 120_000);
});
