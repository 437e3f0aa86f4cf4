// SyncBatchNorm (src/models/layers/batchnorm-sync.ts): over one rank it is BatchNorm (the fused op),
// over ranks with identical batches it is BatchNorm over their union, its arguments are checked,
// and over two real ranks under mpirun (test/batchnorm-sync-child.ts) each rank's rows, the summed
// dγ and dβ and both ranks' running statistics are those of one BatchNorm over the whole batch.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchNormTrain } from '../src/backend/kernel-names.js';
import type { ModelConfig } from '../src/config/types.js';
import { BatchNorm, BN_EPS, BN_MOMENTUM } from '../src/models/layers/batchnorm.js';
import { batchNormRunningStats, batchNormTrain } from '../src/models/layers/batchnorm-ops.js';
import { batchNormTrainSync } from '../src/models/layers/batchnorm-sync.js';
import type { CrossRankSum } from '../src/models/layers/cross-rank-sum.js';
import { ParamStore } from '../src/models/params.js';
import { R2Plus1D } from '../src/models/student.js';
import { addonProblem } from '../src/native/addon.js';
import { cleanEnv, mpirunProblem } from './mpirun-cli.js';
import { tf } from '../src/tf.js';
import { beta, CHANNELS, gamma, input, lossWeights, residual, ROWS } from './batchnorm-sync-fixture.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { expectClose } from './models-fixture.js';
import { countKernelCalls } from './ops-kernels.js';

/** A cross-rank sum that counts its calls; `ranks` identical ranks: every value times `ranks`. */
function countingSum(size: number, ranks = size): CrossRankSum & { calls: number } {
  return {
    size,
    calls: 0,
    sumNow(values) {
      this.calls++;
      return values.map((v) => v * ranks);
    },
  };
}

type Train = (x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, r: tf.Tensor2D | undefined) => { y: tf.Tensor2D; mean: tf.Tensor1D; variance: tf.Tensor1D; count?: number };

const RUNNING_MEAN = Float32Array.from([0.1, -0.3, 0, 2, 1]);
const RUNNING_VAR = Float32Array.from([1, 2, 0.5, 1, 3]);

/** One training step of `train` on the fixed batch: y, statistics, running statistics after it, gradients. */
function trainStep(train: Train, withResidual: boolean) {
  return tf.tidy(() => {
    const x = tf.tensor2d(input, [ROWS, CHANNELS]);
    const r = tf.tensor2d(residual, [ROWS, CHANNELS]);
    const w = tf.tensor2d(lossWeights, [ROWS, CHANNELS]);
    const xs: tf.Tensor[] = [x, tf.tensor1d(gamma), tf.tensor1d(beta), ...(withResidual ? [r] : [])];
    let seen: { y: Float32Array; mean: Float32Array; variance: Float32Array; count: number } | undefined;
    const loss = (...args: tf.Tensor[]) => {
      const [xIn, gIn, bIn, rIn] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D | undefined];
      const out = train(xIn, gIn, bIn, rIn);
      const copy = (t: tf.Tensor) => Float32Array.from(t.dataSync() as Float32Array);
      seen = { y: copy(out.y), mean: copy(out.mean), variance: copy(out.variance), count: out.count ?? ROWS };
      return tf.sum(tf.mul(out.y, w));
    };
    const grads = tf.grads(loss)(xs).map((t) => Float32Array.from(t.dataSync() as Float32Array));
    const [runningMean, runningVar] = batchNormRunningStats(tf.tensor1d(RUNNING_MEAN), tf.tensor1d(RUNNING_VAR), tf.tensor1d(seen!.mean), tf.tensor1d(seen!.variance), {
      momentum: BN_MOMENTUM,
      rows: seen!.count,
    });
    return { ...seen!, runningMean: runningMean.dataSync() as Float32Array, runningVar: runningVar.dataSync() as Float32Array, grads };
  });
}

function setUp(bn: BatchNorm): void {
  bn.weight.assign(tf.tensor1d(gamma));
  bn.bias.assign(tf.tensor1d(beta));
}

/** BatchNorm `bn` on rows of the fixed batch repeated `copies` times: y, dx, dγ, dβ and the running statistics. */
function layerStep(bn: BatchNorm, store: ParamStore, copies: number) {
  const result = tf.tidy(() => {
    const repeat = (values: Float32Array) => tf.tile(tf.tensor2d(values, [ROWS, CHANNELS]), [copies, 1]) as tf.Tensor2D;
    const [x, r, w] = [repeat(input), repeat(residual), repeat(lossWeights)];
    let y: Float32Array | undefined;
    const loss = (xIn: tf.Tensor) => {
      const out = bn.apply(xIn as tf.Tensor2D, true, { relu: true, residual: r });
      y = Float32Array.from(out.dataSync() as Float32Array);
      return tf.sum(tf.mul(out, w));
    };
    const grads = tf.grads((xIn: tf.Tensor, _g: tf.Tensor, _b: tf.Tensor) => loss(xIn))([x, bn.weight, bn.bias]);
    return { y: y!, grads: grads.map((t) => Float32Array.from(t.dataSync() as Float32Array)) };
  });
  const stats = store.getState();
  return { ...result, runningMean: stats['bn.running_mean']!.data, runningVar: stats['bn.running_var']!.data };
}

describe.each(TEST_BACKENDS)('SyncBatchNorm on %s', (backend) => {
  for (const [relu, withResidual] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const variant = [relu && 'ReLU', withResidual && 'residual'].filter(Boolean).join(' + ') || 'plain';
    it(`over one rank equals the fused BatchNorm (${variant}): y, statistics, running statistics, dx, dγ, dβ${withResidual ? ', dresidual' : ''}; one sum each way`, async () => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      const sum = countingSum(1);
      const sync = trainStep((x, g, b, r) => batchNormTrainSync(x, g, b, { eps: BN_EPS, relu, residual: r, sum }), withResidual);
      const fused = trainStep((x, g, b, r) => batchNormTrain(x, g, b, { eps: BN_EPS, relu, residual: r }), withResidual);
      expect(tf.memory().numTensors, 'no tensor left behind').toBe(before);
      expect(sum.calls, 'one cross-rank sum forward, one backward').toBe(2);
      expect(sync.count).toBe(ROWS);
      expectClose(sync.y, fused.y, 1e-5, 'y');
      expectClose(sync.mean, fused.mean, 1e-5, 'mean');
      expectClose(sync.variance, fused.variance, 1e-5, 'variance');
      expectClose(sync.runningMean, fused.runningMean, 1e-5, 'running_mean');
      expectClose(sync.runningVar, fused.runningVar, 1e-5, 'running_var');
      expect(sync.grads).toHaveLength(fused.grads.length);
      ['dx', 'dγ', 'dβ', 'dresidual'].slice(0, fused.grads.length).forEach((name, i) => expectClose(sync.grads[i]!, fused.grads[i]!, 1e-5, name));
      if (relu) expect(Math.min(...sync.y)).toBe(0);
    });
  }

  it('BatchNorm over two ranks with identical batches equals BatchNorm over both batches: its rows, dx, half of dγ and dβ, the running statistics', async () => {
    await useBackend(backend);
    const sum = countingSum(2);
    const syncStore = new ParamStore(1);
    const synced = new BatchNorm(syncStore, 'bn', CHANNELS, { sync: sum });
    setUp(synced);
    const refStore = new ParamStore(1);
    const reference = new BatchNorm(refStore, 'bn', CHANNELS);
    setUp(reference);
    const mine = layerStep(synced, syncStore, 1);
    const whole = layerStep(reference, refStore, 2);
    syncStore.dispose();
    refStore.dispose();
    expect(sum.calls).toBe(2);
    expectClose(mine.y, whole.y.subarray(0, ROWS * CHANNELS), 1e-5, 'y');
    expectClose(mine.grads[0]!, whole.grads[0]!.subarray(0, ROWS * CHANNELS), 1e-5, 'dx');
    expectClose(mine.grads[1]!.map((v) => 2 * v), whole.grads[1]!, 1e-5, 'dγ');
    expectClose(mine.grads[2]!.map((v) => 2 * v), whole.grads[2]!, 1e-5, 'dβ');
    expectClose(mine.runningMean, whole.runningMean, 1e-5, 'running_mean');
    expectClose(mine.runningVar, whole.runningVar, 1e-5, 'running_var');
  });

  it('BatchNorm over one rank keeps the fused op, and eval mode never sums across ranks', async () => {
    await useBackend(backend);
    const sum = countingSum(1);
    const store = new ParamStore(1);
    const bn = new BatchNorm(store, 'bn', CHANNELS, { sync: sum });
    const { calls } = countKernelCalls(BatchNormTrain, () => tf.tidy(() => void bn.apply(tf.tensor2d(input, [ROWS, CHANNELS]), true)));
    expect(calls).toBe(1);
    const twoRanks = countingSum(2);
    const synced = new BatchNorm(store, 'bn2', CHANNELS, { sync: twoRanks });
    const plain = new BatchNorm(store, 'bn3', CHANNELS);
    const [a, b] = tf.tidy(() => [synced, plain].map((layer) => layer.apply(tf.tensor2d(input, [ROWS, CHANNELS]), false, { relu: true }).dataSync() as Float32Array));
    store.dispose();
    expect(sum.calls + twoRanks.calls).toBe(0);
    expectClose(a!, b!, 0, 'eval y');
  });
});

describe('SyncBatchNorm arguments', () => {
  const opts = (sum: CrossRankSum, residual?: tf.Tensor2D) => ({ eps: BN_EPS, relu: false, residual, sum });
  const g2 = () => tf.ones([2]) as tf.Tensor1D;

  it('rejects each bad argument in one line naming it', async () => {
    await useBackend('cpu');
    const one = countingSum(1);
    tf.tidy(() => {
      const x = tf.ones([4, 2]) as tf.Tensor2D;
      expect(() => batchNormTrainSync(tf.ones([4]) as unknown as tf.Tensor2D, g2(), g2(), opts(one))).toThrow('SyncBatchNorm: expected x of shape (rows, C), got shape [4]');
      expect(() => batchNormTrainSync(x, tf.ones([3]) as tf.Tensor1D, g2(), opts(one))).toThrow('SyncBatchNorm: expected γ and β of shape [2], got [3] and [2]');
      expect(() => batchNormTrainSync(x, g2(), g2(), opts(one, tf.ones([4, 3]) as tf.Tensor2D))).toThrow(
        "SyncBatchNorm: residual shape [4,3] differs from the input's [4,2]",
      );
      expect(() => batchNormTrainSync(tf.ones([0, 2]) as tf.Tensor2D, g2(), g2(), opts(one))).toThrow('SyncBatchNorm: expected at least 1 row on each rank, got shape [0,2]');
      for (const size of [0, 1.5]) {
        expect(() => batchNormTrainSync(x, g2(), g2(), opts({ size, sumNow: (v) => v }))).toThrow(`SyncBatchNorm: expected a cross-rank sum over 1 or more ranks, got size ${size}`);
      }
      expect(() => batchNormTrainSync(x, g2(), g2(), opts({ size: 2, sumNow: (v) => v.subarray(1) }))).toThrow(
        'SyncBatchNorm statistics: the cross-rank sum returned 6 values for 7',
      );
      expect(() => batchNormTrainSync(tf.ones([1, 2]) as tf.Tensor2D, g2(), g2(), opts(one))).toThrow(
        'SyncBatchNorm: training mode needs more than 1 value per channel over all ranks, got 1',
      );
    });
    expect(one.calls, 'argument checks come before the cross-rank sum').toBe(1);
  });

  it('a BatchNorm names itself; one row per rank is enough when the ranks hold more', async () => {
    await useBackend('cpu');
    const store = new ParamStore(1);
    const lonely = new BatchNorm(store, 'layer1.0.bn1', 2, { sync: { size: 2, sumNow: (v) => v } });
    expect(() => tf.tidy(() => lonely.apply(tf.ones([1, 2]), true))).toThrow(
      'layer1.0.bn1: SyncBatchNorm: training mode needs more than 1 value per channel over all ranks, got 1',
    );
    const paired = new BatchNorm(store, 'bn', 2, { sync: countingSum(2) });
    tf.tidy(() => paired.apply(tf.tensor2d([[1, 2]]), true));
    // mean [1, 2], variance 0 over the two identical rows
    expectClose(paired.runningMean.dataSync(), [0.1, 0.2], 1e-6, 'running_mean');
    expectClose(paired.runningVar.dataSync(), [0.9, 0.9], 1e-6, 'running_var');
    store.dispose();
  });
});

describe('R2Plus1D with batchNormSync', () => {
  it('synchronises every BatchNorm: one sum per BatchNorm forward; identical ranks give the unsynchronised output', async () => {
    await useBackend('cpu');
    const cfg: ModelConfig = { width: 0.0625, featureDim: 8, layers: [1, 1, 1, 1], numClasses: 3, teacherDim: 8 };
    const sum = countingSum(2);
    const [synced, plain] = [new R2Plus1D(cfg, 3, { batchNormSync: sum }), new R2Plus1D(cfg, 3)];
    const batchNorms = [...synced.store.buffers.keys()].filter((k) => k.endsWith('.running_mean')).length;
    const [a, b] = tf.tidy(() => {
      const x = tf.randomNormal([2, 4, 16, 16, 3], 0, 1, 'float32', 4) as tf.Tensor5D;
      return [synced, plain].map((m) => m.forward(x, true).logits.dataSync() as Float32Array);
    });
    synced.dispose();
    plain.dispose();
    expect(batchNorms).toBeGreaterThan(10);
    expect(sum.calls).toBe(batchNorms);
    expectClose(a!, b!, 1e-4, 'logits');
  });
});

const ROOT = join(__dirname, '..');
const problem = mpirunProblem;

function mpirunChild() {
  const args = ['--allow-run-as-root', '--oversubscribe', '-np', '2', process.execPath, '--import', 'tsx', join(ROOT, 'test', 'batchnorm-sync-child.ts')];
  return spawnSync('mpirun', args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: cleanEnv({ MNF_THREADS: '1' }) });
}

interface RankResult {
  rank: number;
  size: number;
  sums: number;
  y: number[];
  dx: number[];
  dGamma: number[];
  dBeta: number[];
  runningMean: number[];
  runningVar: number[];
}

describe.skipIf(problem !== undefined)(problem === undefined ? 'SyncBatchNorm over two ranks under mpirun' : `SyncBatchNorm over two ranks under mpirun: skipped, ${problem}`, () => {
  it('each rank half of the batch: y and dx rows, summed dγ and dβ, both ranks running statistics equal one BatchNorm over the whole batch', { timeout: 150_000 }, async () => {
    const r = mpirunChild();
    expect(r.error, r.stderr).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const ranks = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as RankResult)
      .sort((a, b) => a.rank - b.rank);
    expect(ranks.map((x) => [x.rank, x.size, x.sums])).toEqual([
      [0, 2, 2],
      [1, 2, 2],
    ]);
    await useBackend('native');
    const store = new ParamStore(1);
    const bn = new BatchNorm(store, 'bn', CHANNELS);
    setUp(bn);
    const whole = layerStep(bn, store, 1);
    store.dispose();
    expectClose(ranks.flatMap((x) => x.y), whole.y, 1e-5, 'y');
    expectClose(ranks.flatMap((x) => x.dx), whole.grads[0]!, 1e-5, 'dx');
    for (const x of ranks) {
      expectClose(x.dGamma, whole.grads[1]!, 1e-5, `rank ${x.rank} dγ`);
      expectClose(x.dBeta, whole.grads[2]!, 1e-5, `rank ${x.rank} dβ`);
      expectClose(x.runningMean, whole.runningMean, 1e-5, `rank ${x.rank} running_mean`);
      expectClose(x.runningVar, whole.runningVar, 1e-5, `rank ${x.rank} running_var`);
    }
  });
});
