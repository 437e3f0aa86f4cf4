// Data-parallel training through `mpirun -np 2 mnf-tui train` (issue 15): the job equals the
// single-process schedule that is mathematically the same, its ranks' shares cover each epoch once
// (resumed too), rank 0 alone writes, a resume at another world size is refused, and a killed rank
// ends the job.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/select.js';
import type { RunConfig } from '../src/config/types.js';
import { openDataset } from '../src/data/dataset.js';
import { createLoader } from '../src/data/loader.js';
import { makeSynthetic } from '../src/data/synthetic.js';
import type { ClipBatch } from '../src/data/types.js';
import { crossEntropy } from '../src/losses/cross-entropy.js';
import { cscLoss } from '../src/losses/csc.js';
import { detach } from '../src/losses/detach.js';
import { gateL1 } from '../src/losses/gate-l1.js';
import { tripletLoss } from '../src/losses/triplet.js';
import { Mnf } from '../src/models/mnf.js';
import { ParamStore } from '../src/models/params.js';
import { R2Plus1D } from '../src/models/student.js';
import { adaptTeacher } from '../src/models/teacher.js';
import { tf } from '../src/tf.js';
import { Adam } from '../src/train/adam.js';
import { readCheckpoint } from '../src/train/checkpoint.js';
import type { TensorState } from '../src/train/types.js';
import { mpirunCli, mpirunProblem, soloCli, startMpirunCli } from './mpirun-cli.js';

const skip = mpirunProblem !== undefined;
const title = (name: string) => (skip ? `${name}: skipped, ${mpirunProblem}` : name);

let root: string;
let dataset: string;
// 3 classes × 6 videos: 12 training videos, 3 global batches of 4 an epoch
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mnf-dp-'));
  dataset = join(root, 'dataset');
  await makeSynthetic({ out: dataset, classes: 3, videosPerClass: 6, frames: 8, size: 24, seed: 5, valFraction: 0.34 });
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TRAIN = (out: string, extra: string[] = []) => ['train', '--headless', '--preset', 'tiny', '--dataset', dataset, '--batch', '4', '--out', out, '--eval-every', '0', ...extra];

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * The single-process schedule a 2-rank mnf-csc step is: each half of the global batch through the
 * student and the MNF separately (per-rank BatchNorm), the CSC over the concatenated halves, the
 * other terms' mean over the halves, one backward pass, both Adam steps.
 */
async function referenceState(config: RunConfig, steps: number): Promise<TensorState> {
  await initBackend('native');
  const student = new R2Plus1D(config.model, config.seed);
  const store = new ParamStore(config.seed + 1);
  const mnf = new Mnf(store, { dim: config.model.featureDim, numClasses: config.model.numClasses });
  const studentOptimizer = new Adam([...student.store.params.entries()], { lr: config.lrStudent, weightDecay: config.weightDecay });
  const headOptimizer = new Adam([...store.params.entries()], { lr: config.lrHead, weightDecay: config.weightDecay });
  const data = await openDataset(dataset, { clipLength: config.clipLength });
  const loader = createLoader(data, { subset: 'training', mode: 'train', batchSize: config.batch, clipLength: config.clipLength, size: config.size, seed: config.seed, epoch: 0 });
  const half = (batch: ClipBatch, r: number) => {
    const b = batch.labels.length / 2;
    const [, T, S] = batch.shape;
    const clipSize = T * S * S * 3;
    return {
      clips: tf.tensor5d(batch.clips.slice(r * b * clipSize, (r + 1) * b * clipSize), [b, T, S, S, 3]),
      teacher: adaptTeacher(tf.tensor2d(batch.teacher.slice(r * b * batch.teacherDim, (r + 1) * b * batch.teacherDim), [b, batch.teacherDim]), config.model.featureDim),
      labels: tf.tensor1d(batch.labels.slice(r * b, (r + 1) * b), 'int32'),
    };
  };
  let taken = 0;
  for await (const batch of loader) {
    tf.tidy(() => {
      const halves = [half(batch, 0), half(batch, 1)];
      const { grads } = tf.variableGrads(() => {
        const parts = halves.map(({ clips, teacher, labels }) => {
          const out = student.forward(clips, true);
          const main = mnf.apply(out.featureMap, teacher, true);
          const routed = mnf.apply(detach(out.featureMap), teacher, true, false);
          const local = tf.addN([
            crossEntropy(out.logits, labels),
            crossEntropy(routed.logits, labels),
            tripletLoss(detach(out.pooled), teacher, routed.aTilde, config.tripletMargin),
          ]);
          return { v: out.pooled, z: main.z, aTilde: main.aTilde, labels, local };
        });
        const csc = cscLoss(tf.concat(parts.map((p) => p.v)), tf.concat(parts.map((p) => p.z)), tf.concat(parts.map((p) => p.aTilde)), tf.concat(parts.map((p) => p.labels)), {
          theta: config.theta,
          calibrated: true,
        });
        const [w1, w2] = mnf.gateWeights();
        const meanLocal = tf.div(tf.addN(parts.map((p) => p.local)), 2);
        return tf.addN([meanLocal, gateL1(w1, w2, config.l1Weight, config.l1Original), csc]) as tf.Scalar;
      }, [...student.trainableVariables(), ...store.trainable()]);
      studentOptimizer.apply(grads);
      headOptimizer.apply(grads);
    });
    if (++taken === steps) break;
  }
  await loader.close();
  const state = {
    ...student.store.getState('student/'),
    ...store.getState('head/'),
    ...studentOptimizer.getState('optim.student/'),
    ...headOptimizer.getState('optim.head/'),
  };
  const trainable = new Set([...[...student.store.params.keys()].map((k) => `student/${k}`), ...[...store.params.keys()].map((k) => `head/${k}`)]);
  studentOptimizer.dispose();
  headOptimizer.dispose();
  student.dispose();
  store.dispose();
  // BatchNorm's running statistics are rank 0's in the job, every half's here: compared apart
  return Object.fromEntries(Object.entries(state).filter(([k]) => trainable.has(k) || k.startsWith('optim.')));
}

/** The reference's gradient RMS of weight `key` (from Adam's second moment), element by element. */
function gradientRms(reference: TensorState, key: string): Float32Array | undefined {
  const v = reference[key.replace(/^(student|head)\//, 'optim.$1/exp_avg_sq/')];
  return v && v.data.map(Math.sqrt);
}

/** Below this RMS a gradient is rounding noise: the parameter's exact gradient is 0 (a bias that a BatchNorm right after cancels). */
const ROUNDING_LEVEL = 1e-7;

/**
 * The largest difference between the job's state and the reference's: every optimiser moment, and
 * every weight element whose gradient is not rounding noise (Adam turns noise into lr-sized steps in
 * both runs alike, differently); `noise` counts the weight elements left out.
 */
function maxDifference(reference: TensorState, other: TensorState): { key: string; difference: number; noise: number; weights: number } {
  let worst = { key: '', difference: 0 };
  let noise = 0;
  let weights = 0;
  for (const [key, { data }] of Object.entries(reference)) {
    const theirs = other[key];
    if (!theirs) return { key: `${key} (missing)`, difference: Infinity, noise, weights };
    const rms = key.startsWith('optim.') ? undefined : gradientRms(reference, key);
    for (let i = 0; i < data.length; i++) {
      if (rms) weights++;
      if (rms && rms[i]! < ROUNDING_LEVEL) {
        noise++;
        continue;
      }
      const difference = Math.abs(data[i]! - theirs.data[i]!);
      if (!(difference <= worst.difference)) worst = { key, difference };
    }
  }
  return { ...worst, noise, weights };
}

describe.skipIf(skip)(title('mpirun -np 2 mnf-tui train'), () => {
  it('3 steps of mnf-csc equal the single-process schedule (halves through BatchNorm apart, CSC over the whole batch) to 1e-5', async () => {
    const out = join(root, 'equivalence');
    const r = await mpirunCli(2, TRAIN(out, ['--method', 'mnf-csc', '--epochs', '1']));
    expect(r.status, r.stderr).toBe(0);
    const checkpoint = readCheckpoint(join(out, 'checkpoint-last'));
    expect(checkpoint.meta.step).toBe(3);
    expect(checkpoint.meta.world).toEqual({ size: 2 });
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as RunConfig;
    const reference = await referenceState(config, 3);
    expect(Object.keys(reference).length).toBeGreaterThan(100);
    const worst = maxDifference(reference, checkpoint.state);
    expect(worst.difference, worst.key).toBeLessThanOrEqual(1e-5);
    // weights without a gradient (dead units, biases a BatchNorm cancels): under 2% of them
    expect(worst.noise).toBeLessThan(worst.weights / 50);
    // not the single-process run of the whole batch (BatchNorm over 4 clips): the test can tell them apart
    const solo = join(root, 'solo');
    const s = await soloCli(TRAIN(solo, ['--method', 'mnf-csc', '--epochs', '1']));
    expect(s.status, s.stderr).toBe(0);
    expect(maxDifference(reference, readCheckpoint(join(solo, 'checkpoint-last')).state).difference).toBeGreaterThan(1e-4);
  }, 300_000);

  it('rank 0 alone writes and reports: one run folder, one JSON stream with the world and each rank\'s throughput', async () => {
    const out = join(root, 'outputs');
    const r = await mpirunCli(2, TRAIN(out, ['--method', 'csc', '--epochs', '1']));
    expect(r.status, r.stderr).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events.filter((e) => e.type === 'run')).toHaveLength(1);
    // backend native: the gradients travel through host memory over MPI
    expect(events.find((e) => e.type === 'run')!.world).toEqual({ size: 2, rank: 0, gradients: expect.stringMatching(/^MPI in host memory \(.*backend 'native'/) });
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(3);
    for (const step of steps) {
      const ranks = step.ranks as { rank: number; clipsPerSecond: number; dataWaitShare: number }[];
      expect(ranks.map((x) => x.rank)).toEqual([0, 1]);
      for (const x of ranks) {
        expect(x.clipsPerSecond).toBeGreaterThan(0);
        expect(x.dataWaitShare).toBeGreaterThanOrEqual(0);
        expect(x.dataWaitShare).toBeLessThanOrEqual(1);
      }
    }
    expect(readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').length).toBe(events.length);
    expect(readdirSync(out).sort()).toEqual(['checkpoint-best', 'checkpoint-last', 'config.json', 'events.jsonl', 'results.json'].filter((f) => existsSync(join(out, f))).sort());
    expect(existsSync(join(out, 'results.json'))).toBe(true);
  }, 300_000);
});
