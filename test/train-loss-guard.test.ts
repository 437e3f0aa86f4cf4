// Issue 11, fault 2: the NaN guard names the term, the step, the batch's samples and the likely
// cause found in the batch.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipBatch } from '../src/data/types.js';
import { defaultSetup } from '../src/train/engine-setup.js';
import { startEngineInProcess } from '../src/train/in-process.js';
import { likelyCause, nonFiniteLoss, nonFiniteLossMessage } from '../src/train/loss-guard.js';
import { tinyWorld, type TinyWorld } from './engine-fixture.js';

let world: TinyWorld;
beforeAll(async () => {
  world = await tinyWorld();
});
afterAll(() => world?.cleanup());

function batch(teacher: number[][], clipValue = 0.5): ClipBatch {
  const b = teacher.length;
  const dim = teacher[0].length;
  return {
    clips: new Float32Array(b * 2 * 2 * 2 * 3).fill(clipValue),
    shape: [b, 2, 2, 2, 3],
    teacher: Float32Array.from(teacher.flat()),
    teacherDim: dim,
    labels: new Int32Array(b),
    videoIndex: Int32Array.from({ length: b }, (_, i) => i),
  };
}

describe('the NaN guard', () => {
  it('finds the first loss term that is not finite', () => {
    expect(nonFiniteLoss({ ceStudent: 1, csc: 2 })).toBeNull();
    expect(nonFiniteLoss({ ceStudent: 1, csc: NaN, triplet: Infinity })).toEqual({ term: 'csc', value: NaN });
  });

  it('names a non-finite teacher feature, then a non-finite clip, as the cause', () => {
    expect(likelyCause(batch([[1, 2], [NaN, 1]]), ['a', 'b'])).toBe('the teacher feature of b is not finite');
    const clips = batch([[1, 2], [3, 4]]);
    clips.clips[clips.clips.length - 1] = Infinity;
    expect(likelyCause(clips, ['a', 'b'])).toBe('the clip of b is not finite');
  });

  it('with finite inputs points at the learning rate, mentioning all-zero teacher features as legal', () => {
    expect(likelyCause(batch([[1, 2], [3, 4]]), ['a', 'b'])).toMatch(/^the inputs are finite: the learning rate is probably too high/);
    expect(likelyCause(batch([[0, 0], [3, 4]]), ['a', 'b'])).toMatch(/^the inputs are finite \(a has an all-zero teacher feature, which is legal\): the learning rate/);
  });

  it('is one line with the term, step, epoch, batch and the sample ids (at most 8 shown)', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `v${i}`);
    const b = batch(Array.from({ length: 10 }, (_, i) => [i + 1, 1]));
    const message = nonFiniteLossMessage({ term: 'csc', value: NaN }, { step: 12, epoch: 1, batch: 3, batchesPerEpoch: 4 }, b, ids);
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^loss term 'csc' became NaN at step 12 \(epoch 2, batch 3 of 4; samples v0, v1, v2, v3, v4, v5, v6, v7, … \(10 in all\)\): the inputs are finite/);
  });
});

describe('a non-finite loss during training', () => {
  it('fails the run with the guard\'s line, naming the real sample ids of the batch', async () => {
    const setup = defaultSetup();
    // the real trainer, whose second step reports a NaN loss (as a diverging run would)
    const failing = {
      ...setup,
      createTrainer: (config: Parameters<typeof setup.createTrainer>[0]) => {
        const trainer = setup.createTrainer(config);
        let steps = 0;
        return {
          ...trainer,
          step: async (b: ClipBatch) => {
            const result = await trainer.step(b);
            return ++steps === 2 ? { ...result, losses: { ...result.losses, csc: NaN } } : result;
          },
        };
      },
    };
    const handle = startEngineInProcess(world.config({ epochs: 1 }), { out: null, backend: 'native', autoStart: true }, failing);
    const exit = await handle.done;
    expect(exit.state).toBe('failed');
    expect(exit.error).toMatch(/^loss term 'csc' became NaN at step 2 \(epoch 1, batch 2 of 2; samples \S+, \S+, \S+\): the inputs are finite/);
    const ids = exit.error!.match(/samples ([^)]*)\)/)![1].split(', ');
    const annotation = JSON.parse(readFileSync(join(world.dataset, 'annotation.json'), 'utf8')) as { database: Record<string, { subset: string }> };
    const training = Object.keys(annotation.database).filter((id) => annotation.database[id].subset === 'training');
    for (const id of ids) expect(training).toContain(id);
  }, 60_000);
});
