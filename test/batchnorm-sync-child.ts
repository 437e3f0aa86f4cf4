// One rank of the 2-rank SyncBatchNorm test (test/batchnorm-sync.test.ts), started by
// mpirun -np 2 on backend native: BatchNorm synchronised over the ranks, with ReLU and a residual,
// on this rank's half of the fixed batch (test/batchnorm-sync-fixture.ts), loss Σ y ⊙ lossWeights.
// Prints one JSON line: its rows of y and dx, dγ and dβ summed over the ranks, the running
// statistics, and how many cross-rank sums the step made.
import { initBackend } from '../src/backend/select.js';
import type { Collectives } from '../src/distributed/collectives.js';
import { BatchNorm } from '../src/models/layers/batchnorm.js';
import type { CrossRankSum } from '../src/models/layers/cross-rank-sum.js';
import { ParamStore } from '../src/models/params.js';
import { tf } from '../src/tf.js';
import { runRank } from './mpi-rank.js';
import { beta, CHANNELS, gamma, input, lossWeights, residual, rowsOf } from './batchnorm-sync-fixture.js';

async function step(c: Collectives) {
  await initBackend('native');
  let sums = 0;
  const sync: CrossRankSum = {
    size: c.size,
    sumNow: (values) => {
      sums++;
      return c.allreduceSumNow(values);
    },
  };
  const store = new ParamStore(1);
  const bn = new BatchNorm(store, 'bn', CHANNELS, { sync });
  bn.weight.assign(tf.tensor1d(gamma));
  bn.bias.assign(tf.tensor1d(beta));
  const local = (values: Float32Array) => {
    const rows = rowsOf(values, c.rank, c.size);
    return tf.tensor2d(rows, [rows.length / CHANNELS, CHANNELS]);
  };
  const [x, r, w] = [local(input), local(residual), local(lossWeights)];
  let y: Float32Array | undefined;
  const f = (xIn: tf.Tensor) => {
    const out = bn.apply(xIn as tf.Tensor2D, true, { relu: true, residual: r });
    y = out.dataSync() as Float32Array;
    return tf.sum(tf.mul(out, w));
  };
  const [dx, dGamma, dBeta] = tf.grads((xIn: tf.Tensor, _g: tf.Tensor, _b: tf.Tensor) => f(xIn))([x, bn.weight, bn.bias]);
  const stats = store.getState();
  return {
    rank: c.rank,
    size: c.size,
    sums,
    y: Array.from(y!),
    dx: Array.from(dx!.dataSync()),
    dGamma: Array.from(await c.allreduceSum(Float32Array.from(dGamma!.dataSync()))),
    dBeta: Array.from(await c.allreduceSum(Float32Array.from(dBeta!.dataSync()))),
    runningMean: Array.from(stats['bn.running_mean']!.data),
    runningVar: Array.from(stats['bn.running_var']!.data),
  };
}

await runRank(step);
