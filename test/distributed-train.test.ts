// Data-parallel training through `mpirun -np 2 mnf-tui train` (issue 15): the job equals the
// single-process schedule that is mathematically the same, its ranks' shares cover each epoch once
// (resumed too), rank 0 alone writes, a resume at another world size is refused, and a killed rank
// ends the job.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
import { Rng } from '../src/rng.js';
import { tf } from '../src/tf.js';
import { Adam } from '../src/train/adam.js';
import { readCheckpoint } from '../src/train/checkpoint.js';
import type { TensorState } from '../src/train/types.js';
import { mpirunCli, mpirunCliPerRank, mpirunProblem, soloCli, startMpirunCli } from './mpirun-cli.js';

const skip = mpirunProblem !== undefined;
const title = (name: string) => (skip ? `${name}: skipped, ${mpirunProblem}` : name);

let root: string;
let dataset: string;
/** 2 classes × 3 videos: 4 training videos, one global batch an epoch */
let oneBatch: string;
// 3 classes × 6 videos: 12 training videos, 3 global batches of 4 an epoch
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mnf-dp-'));
  dataset = join(root, 'dataset');
  await makeSynthetic({ out: dataset, classes: 3, videosPerClass: 6, frames: 8, size: 24, seed: 5, valFraction: 0.34 });
  oneBatch = join(root, 'one-batch');
  await makeSynthetic({ out: oneBatch, classes: 2, videosPerClass: 3, frames: 8, size: 24, seed: 5, valFraction: 0.34 });
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TRAIN = (out: string, extra: string[] = [], data = dataset) => ['train', '--headless', '--preset', 'tiny', '--dataset', data, '--batch', '4', '--out', out, '--eval-every', '0', ...extra];

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

  // one step: SyncBatchNorm's composed ops round differently from the fused kernel, and over several
  // steps Adam turns that into lr-sized differences wherever a gradient is near 0
  it('--sync-bn: a step of 2 ranks is the one-process step of the whole batch (BatchNorm and CSC over all 4 clips) to 1e-5', async () => {
    const synced = join(root, 'sync-bn');
    const solo = join(root, 'solo-sync');
    const args = (out: string, extra: string[]) => TRAIN(out, ['--method', 'mnf-csc', '--epochs', '1', ...extra], oneBatch);
    const r = await mpirunCli(2, args(synced, ['--sync-bn']));
    expect(r.status, r.stderr).toBe(0);
    const s = await soloCli(args(solo, []));
    expect(s.status, s.stderr).toBe(0);
    const reference = readCheckpoint(join(solo, 'checkpoint-last')).state;
    const job = readCheckpoint(join(synced, 'checkpoint-last'));
    expect(job.meta.config.syncBn).toBe(true);
    expect(job.meta.step).toBe(1);
    const worst = maxDifference(reference, job.state);
    expect(worst.difference, worst.key).toBeLessThanOrEqual(1e-5);
    expect(worst.noise).toBeLessThan(worst.weights / 50);
    // the running statistics too: every BatchNorm saw the global batch's
    const stats = Object.keys(reference).filter((k) => k.endsWith('running_mean') || k.endsWith('running_var'));
    expect(stats.length).toBeGreaterThan(10);
    for (const key of stats) reference[key]!.data.forEach((v, i) => expect(Math.abs(v - job.state[key]!.data[i]!), key).toBeLessThanOrEqual(1e-5));
  }, 300_000);

  it('--local-csc: each rank\'s CSC over its own share (a different loss from the global batch\'s)', async () => {
    const firstStep = async (name: string, extra: string[]) => {
      const r = await mpirunCli(2, TRAIN(join(root, name), ['--method', 'csc', '--epochs', '1', ...extra]));
      expect(r.status, r.stderr).toBe(0);
      return jsonLines(r.stdout).find((e) => e.type === 'step')!;
    };
    const first = await firstStep('local-csc', ['--local-csc']);
    const global = await firstStep('global-csc', []);
    const csc = (e: Record<string, unknown>) => (e.losses as Record<string, number>).csc!;
    expect(Number.isFinite(csc(first))).toBe(true);
    expect(Math.abs(csc(first) - csc(global))).toBeGreaterThan(1e-4);
  }, 300_000);

  it('on backend cuda (the emulated device) 2 ranks train as they do on native: the same weights after 3 steps to 1e-5', async () => {
    const onCuda = join(root, 'cuda-2');
    const onNative = join(root, 'native-2');
    const flags = ['--method', 'mnf-csc', '--epochs', '1'];
    const c = await mpirunCli(2, TRAIN(onCuda, [...flags, '--backend', 'cuda']), 300_000, { MNF_CUDA_DEVICE: 'emulated' });
    expect(c.status, c.stderr).toBe(0);
    expect(jsonLines(c.stdout).find((e) => e.type === 'run')!.world).toMatchObject({ gradients: expect.stringMatching(/^MPI in host memory \(backend cuda runs on the emulated device/) });
    const n = await mpirunCli(2, TRAIN(onNative, [...flags, '--backend', 'native']));
    expect(n.status, n.stderr).toBe(0);
    const reference = readCheckpoint(join(onNative, 'checkpoint-last')).state;
    const worst = maxDifference(reference, readCheckpoint(join(onCuda, 'checkpoint-last')).state);
    expect(worst.difference, worst.key).toBeLessThanOrEqual(1e-5);
  }, 400_000);

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

describe.skipIf(skip)(title('the ranks\' shares'), () => {
  /** videoIndex of each batch the loader yields from `from` on, for `batches` batches (its share on `shard`). */
  async function batchVideos(shard: { rank: number; size: number } | undefined, from: { epoch: number; batch: number }, batches: number): Promise<number[][]> {
    await initBackend('native');
    const data = await openDataset(dataset, { clipLength: 4 });
    const position = { ...from, seed: 3, rngState: 'derived' as const };
    const loader = createLoader(data, { subset: 'training', mode: 'train', batchSize: 4, clipLength: 4, size: 16, seed: 3, position, ...(shard ? { shard } : {}) });
    const out: number[][] = [];
    try {
      while (out.length < batches) for await (const batch of loader) if (out.push(Array.from(batch.videoIndex)) === batches) break;
    } finally {
      await loader.close();
    }
    return out;
  }

  it('concatenate, rank by rank, to the one-process batches: each epoch\'s samples once; resumed mid-epoch the same', async () => {
    const one = await batchVideos(undefined, { epoch: 0, batch: 0 }, 6);
    const rank0 = await batchVideos({ rank: 0, size: 2 }, { epoch: 0, batch: 0 }, 6);
    const rank1 = await batchVideos({ rank: 1, size: 2 }, { epoch: 0, batch: 0 }, 6);
    expect(rank0.map((b) => b.length)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(rank0.map((b, k) => [...b, ...rank1[k]!])).toEqual(one);
    for (const epoch of [0, 1]) {
      const seen = [0, 1, 2].flatMap((k) => [...rank0[3 * epoch + k]!, ...rank1[3 * epoch + k]!]);
      expect(new Set(seen).size).toBe(12); // 12 training videos, 3 global batches of 4: each once
    }
    // resumed at epoch 0 batch 2: the shares continue where the uninterrupted ones were
    const resumed = await Promise.all([0, 1].map((rank) => batchVideos({ rank, size: 2 }, { epoch: 0, batch: 2 }, 4)));
    expect(resumed[0]).toEqual(rank0.slice(2));
    expect(resumed[1]).toEqual(rank1.slice(2));
  }, 120_000);

  it('2 ranks: 2 epochs straight equal 1 epoch and a resume for 1 more, bit for bit', async () => {
    const straight = join(root, 'straight');
    const split = join(root, 'split');
    const a = await mpirunCli(2, TRAIN(straight, ['--method', 'mnf-csc', '--epochs', '2']));
    expect(a.status, a.stderr).toBe(0);
    const b = await mpirunCli(2, TRAIN(split, ['--method', 'mnf-csc', '--epochs', '1']));
    expect(b.status, b.stderr).toBe(0);
    const c = await mpirunCli(2, ['train', '--headless', '--resume', split, '--epochs', '2']);
    expect(c.status, c.stderr).toBe(0);
    const resumedFrom = jsonLines(c.stdout).find((e) => e.type === 'run')!.resumedFrom as { step: number };
    expect(resumedFrom.step).toBe(3);
    const x = readCheckpoint(join(straight, 'checkpoint-last'));
    const y = readCheckpoint(join(split, 'checkpoint-last'));
    expect(y.meta.step).toBe(6);
    const differing = Object.keys(x.state).filter((k) => !x.state[k]!.data.every((v, i) => Object.is(v, y.state[k]!.data[i])));
    expect(differing).toEqual([]);
  }, 400_000);

  it('a resume at another world size is refused in one line (exit 2), the checkpoint untouched', async () => {
    const out = join(root, 'two-ranks');
    const written = await mpirunCli(2, TRAIN(out, ['--method', 'ce', '--epochs', '1']));
    expect(written.status, written.stderr).toBe(0);
    const before = readFileSync(join(out, 'checkpoint-last', 'manifest.json'), 'utf8');
    const r = await soloCli(['train', '--headless', '--resume', out, '--epochs', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `error: --resume ${join(out, 'checkpoint-last')}: the checkpoint was written by a job of 2 processes, this one has 1; ` +
        'resume with the same number (mpirun -np 2): each rank\'s share and BatchNorm statistics depend on it',
    );
    expect(readFileSync(join(out, 'checkpoint-last', 'manifest.json'), 'utf8')).toBe(before);
  }, 120_000);
});

/** The pid of rank `rank` of the job whose command line mentions `marker`. */
function rankPid(marker: string, rank: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes(marker) || cmdline.startsWith('mpirun')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`OMPI_COMM_WORLD_RANK=${rank}`)) return Number(entry);
    } catch {
      // gone, or not ours
    }
  }
  return undefined;
}

describe.skipIf(skip)(title('a rank that cannot start'), () => {
  it('fails every rank alike: rank 0 says which rank and why (exit 1), and writes no checkpoint', async () => {
    const out = join(root, 'rank-1-missing-data');
    const missing = join(root, 'no-such-dataset');
    const r = await mpirunCliPerRank([TRAIN(out, ['--epochs', '1']), TRAIN(out, ['--epochs', '1'], missing)], 120_000);
    expect(r.status).toBe(1);
    const error = jsonLines(r.stdout).find((e) => e.type === 'error');
    expect(error?.message).toMatch(new RegExp(`^rank 1 of 2 could not start: .*${missing}`));
    expect(r.stderr).toContain(`error: rank 1 of 2 could not start: `);
    expect(existsSync(join(out, 'checkpoint-last'))).toBe(false);
  }, 180_000);
});

/** A copy of the dataset whose videos' frames are garbled (seeded): every clip of it fails to decode. */
function garbledCopy(name: string): { dir: string; videos: string } {
  const dir = join(root, name);
  cpSync(dataset, dir, { recursive: true });
  const rng = Rng.from(15, 1);
  const videos = join(dir, 'video_set_4fps');
  for (const file of readdirSync(videos)) {
    const bytes = readFileSync(join(videos, file));
    for (let i = 5000; i < Math.min(9000, bytes.length); i++) bytes[i] = rng.int(0, 255);
    writeFileSync(join(videos, file), bytes);
  }
  return { dir, videos };
}

describe.skipIf(skip)(title('a rank that fails during training'), () => {
  it('ends the job at once: MPI_Abort, one line naming the rank and its reason', async () => {
    // rank 1 reads a copy of the dataset whose videos are garbled: its first batch fails
    const { dir, videos } = garbledCopy('garbled-fail');
    const out = join(root, 'rank-1-fails');
    const flags = ['--epochs', '2', '--on-bad-sample', 'fail'];
    const r = await mpirunCliPerRank([TRAIN(out, flags), TRAIN(out, flags, dir)], 120_000);
    expect(r.status).not.toBe(0);
    expect(r.signal).toBeNull(); // ended by itself, not by the timeout
    const ours = r.stderr.split('\n').filter((l) => l.startsWith('mnf-tui: '));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(new RegExp(`^mnf-tui: rank 1 of 2 failed: ${videos}/\\S+\\.hdf5: .+`));
  }, 180_000);

  it('a rank whose share has no usable clip: every rank skips that batch together, with a warning naming the rank', async () => {
    // --on-bad-sample skip: rank 1 leaves out every clip of its shares
    const { dir } = garbledCopy('garbled-skip');
    const out = join(root, 'rank-1-skips');
    const flags = ['--epochs', '1'];
    const r = await mpirunCliPerRank([TRAIN(out, flags), TRAIN(out, flags, dir)], 120_000);
    expect(r.status, r.stderr).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events.filter((e) => e.type === 'step')).toHaveLength(0);
    const skipped = events.filter((e) => e.type === 'warning' && /^batch \d of epoch 1: rank 1's share has 0 usable clips; skipped on every rank$/.test(e.message as string));
    expect(skipped).toHaveLength(3);
    expect(events.find((e) => e.type === 'done')).toMatchObject({ reason: 'completed', step: 0 });
  }, 180_000);
});

describe.skipIf(skip)(title('settings a job cannot train with'), () => {
  it.each([
    ['3', '--batch 3 is not a multiple of the 2 ranks: each rank takes an equal share of the global batch'],
    ['2', '--batch 2 over 2 ranks leaves 1 clip per rank; BatchNorm needs at least 2 (use --batch 4 or more)'],
  ])('--batch %s: every rank refuses it, rank 0 says why in one line (exit 2), nothing written', async (batch, message) => {
    const out = join(root, `batch-${batch}`);
    const r = await mpirunCli(2, [...TRAIN(out, ['--epochs', '1']), '--batch', batch]);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual([`error: ${message}`]);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});

describe.skipIf(skip)(title('Ctrl-C on mpirun'), () => {
  it('stops every rank at the same step with a checkpoint; the run resumes from it to the end', async () => {
    const out = join(root, 'interrupted');
    const job = startMpirunCli(2, TRAIN(out, ['--method', 'ce', '--epochs', '5000']));
    await job.waitForEvent((e) => e.type === 'step' && (e.step as number) >= 4);
    job.child.kill('SIGINT');
    const code = await job.exit;
    expect(code).not.toBe(0);
    const done = jsonLines(job.stdout()).find((e) => e.type === 'done');
    expect(done, job.stderr()).toMatchObject({ reason: 'stopped' });
    expect(job.stderr()).toContain('stopping every rank at the next step boundary, then saving');
    const saved = readCheckpoint(join(out, 'checkpoint-last')).meta;
    expect(saved.step).toBe(done!.step);
    expect(saved.step).toBeGreaterThanOrEqual(4);
    const epochs = saved.epoch + 1;
    const r = await mpirunCli(2, ['train', '--headless', '--resume', out, '--epochs', String(epochs)]);
    expect(r.status, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).find((e) => e.type === 'done')).toMatchObject({ reason: 'completed', step: epochs * 3 });
  }, 300_000);
});

describe.skipIf(skip)(title('a rank killed mid-run'), () => {
  it('ends the job within 30 s with a line naming the rank; the last checkpoint resumes', async () => {
    const out = join(root, 'killed');
    const job = startMpirunCli(2, TRAIN(out, ['--method', 'ce', '--epochs', '5000']));
    await job.waitForEvent((e) => e.type === 'checkpoint' && (e.epoch as number) >= 2);
    const pid = rankPid(out, 1);
    expect(pid, 'rank 1 found').toBeDefined();
    process.kill(pid!, 'SIGKILL');
    const killedAt = Date.now();
    const ended = await Promise.race([job.exit, new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000))]);
    if (ended === null) job.child.kill('SIGKILL');
    expect(ended, 'mpirun ended within 30 s').not.toBeNull();
    // and rank 0 with it (mpirun ends it: SIGTERM, then SIGKILL)
    while (rankPid(out, 0) !== undefined && Date.now() - killedAt < 30_000) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(rankPid(out, 0), 'rank 0 ended within 30 s').toBeUndefined();
    expect(ended).not.toBe(0);
    expect(job.stderr()).toMatch(/^mpirun noticed that process rank 1 with PID \d+ on node \S+ exited on signal 9 \(Killed\)\.$/m);
    const saved = readCheckpoint(join(out, 'checkpoint-last')).meta;
    const r = await mpirunCli(2, ['train', '--headless', '--resume', out, '--epochs', String(saved.epoch + 1)]);
    expect(r.status, r.stderr).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events.find((e) => e.type === 'run')!.resumedFrom).toMatchObject({ step: saved.step });
    expect(events.find((e) => e.type === 'done')).toMatchObject({ reason: 'completed', step: saved.step + 3 });
  }, 300_000);
});
