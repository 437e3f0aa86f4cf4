// One rank of the 2-rank tests (test/distributed-mpi.test.ts), started by mpirun (or alone):
//   collectives  every collective and a bucketed mean; prints one JSON line of what it got
//   fail         rank 1 throws before the allreduce rank 0 waits in; the throw aborts the job
//   killed       rank 1 is killed (SIGKILL) while rank 0 waits in an allreduce
//   alone        the world it joined, and whether libmpi is mapped into the process
import { allreduceMean, planBuckets } from '../src/distributed/buckets.js';
import type { Collectives } from '../src/distributed/collectives.js';
import { readFileSync } from 'node:fs';
import { joinWorld } from '../src/distributed/world.js';
import { runRank } from './mpi-rank.js';

/** The message a call throws at the addon's boundary (before anything is sent). */
function rejection(call: () => unknown): string {
  try {
    call();
    return 'no error';
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

async function collectives(c: Collectives) {
  const { rank, size } = c;
  const small = await c.allreduceSum(Float32Array.from([1, 2, 3, 4, 5], (x) => x * (rank + 1)));
  const big = await c.allreduceSum(new Float32Array(1 << 20).fill(rank + 1));
  const gathered = await c.allgather(Float32Array.from([rank, rank * 10]));
  const labels = await c.allgather(Int32Array.from([rank + 100]));
  const broadcast = await c.broadcast(Int32Array.from([rank * 7, rank + 3]), 1);
  const badRoot = rejection(() => c.broadcast(new Float32Array(1), size));
  const badArray = rejection(() => c.allreduceSum([1, 2] as unknown as Float32Array));
  const sizes = [3, 1000, 7, 5000];
  const grads = sizes.map((n, t) => new Float32Array(n).map((_, i) => (rank + 1) * (t + 1) + i));
  const buckets = planBuckets(sizes, 4096);
  let calls = 0;
  await allreduceMean(buckets, grads, {
    size,
    allreduceSum: (values) => {
      calls++;
      return c.allreduceSum(values);
    },
  });
  await c.barrier();
  return {
    rank,
    size,
    small: Array.from(small),
    bigAllEqual: big.every((x) => x === big[0]) ? big[0] : null,
    gathered: Array.from(gathered),
    labels: Array.from(labels),
    labelsAreInt32: labels instanceof Int32Array,
    broadcast: Array.from(broadcast),
    badRoot,
    badArray,
    buckets: buckets.length,
    calls,
    grads: grads.map((g) => [g[0], g[g.length - 1]]),
  };
}

async function fail(c: Collectives) {
  if (c.rank === 1) throw new Error('boom before the allreduce\nsecond line not printed');
  await c.allreduceSum(new Float32Array(4));
  return { rank: c.rank, reached: 'after the allreduce' };
}

async function killed(c: Collectives) {
  if (c.rank === 1) process.kill(process.pid, 'SIGKILL');
  await c.allreduceSum(new Float32Array(4));
  return { rank: c.rank, reached: 'after the allreduce' };
}

async function alone(c: Collectives) {
  const world = joinWorld();
  return { rank: c.rank, size: c.size, launch: world.launch ?? null, libmpiMapped: readFileSync('/proc/self/maps', 'utf8').includes('libmpi.so') };
}

const modes: Record<string, (c: Collectives) => Promise<object>> = { collectives, fail, killed, alone };
const mode = process.argv[2];
await runRank(modes[mode]!);
