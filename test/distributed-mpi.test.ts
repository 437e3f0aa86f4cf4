// The MPI collectives across two real ranks (mpirun -np 2 over test/mpi-child.ts), a failing or
// killed rank ending the job, launch detection, and a process without a launcher never loading MPI.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { singleProcessCollectives } from '../src/distributed/collectives.js';
import { DistributedSetupError, detectLaunch } from '../src/distributed/world.js';
import { addonProblem, loadAddon } from '../src/native/addon.js';
import { cleanEnv, mpirunProblem } from './mpirun-cli.js';

const ROOT = join(__dirname, '..');
const CHILD = ['--import', 'tsx', join(ROOT, 'test', 'mpi-child.ts')];
const problem = mpirunProblem;

/** mpirun -np 2 over the child in `mode`; `timeout` ends a job that hangs (the result then says so). */
function mpirun(mode: string, timeout: number): SpawnSyncReturns<string> {
  const args = ['--allow-run-as-root', '--oversubscribe', '-np', '2', process.execPath, ...CHILD, mode];
  return spawnSync('mpirun', args, { cwd: ROOT, encoding: 'utf8', timeout, env: cleanEnv() });
}

function alone(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [...CHILD, 'alone'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: cleanEnv(env) });
}

function ranksOf(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .sort((a, b) => (a.rank as number) - (b.rank as number));
}

describe('launch detection', () => {
  it('reads mpirun, PMI and srun environments, and none without a launcher', () => {
    expect(detectLaunch({})).toBeUndefined();
    expect(detectLaunch({ OMPI_COMM_WORLD_SIZE: '4', OMPI_COMM_WORLD_RANK: '3' })).toEqual({ launcher: 'mpirun', size: 4, rank: 3 });
    expect(detectLaunch({ PMI_SIZE: '2', PMI_RANK: '1' })).toEqual({ launcher: 'pmi', size: 2, rank: 1 });
    expect(detectLaunch({ SLURM_STEP_NUM_TASKS: '8', SLURM_PROCID: '5', SLURM_NTASKS: '8' })).toEqual({ launcher: 'srun', size: 8, rank: 5 });
    // an sbatch script (no job step) is one process, whatever its allocation
    expect(detectLaunch({ SLURM_NTASKS: '8', SLURM_PROCID: '0' })).toBeUndefined();
    // mpirun inside a SLURM allocation: mpirun's numbering
    expect(detectLaunch({ OMPI_COMM_WORLD_SIZE: '2', OMPI_COMM_WORLD_RANK: '0', SLURM_STEP_NUM_TASKS: '1', SLURM_PROCID: '0' })?.launcher).toBe('mpirun');
  });

  it('rejects a malformed launcher environment in one line naming the variable', () => {
    expect(() => detectLaunch({ OMPI_COMM_WORLD_SIZE: 'two', OMPI_COMM_WORLD_RANK: '0' })).toThrow(
      new DistributedSetupError('OMPI_COMM_WORLD_SIZE=two: expected an integer >= 1'),
    );
    expect(() => detectLaunch({ PMI_SIZE: '2', PMI_RANK: '2' })).toThrow('PMI_RANK=2 is not below PMI_SIZE=2');
  });
});

describe('single-process collectives', () => {
  it('are the one-rank results: the sum is the array, the gather a copy, the broadcast from rank 0 only', async () => {
    const c = singleProcessCollectives();
    const values = Float32Array.from([1, 2]);
    expect(await c.allreduceSum(values)).toBe(values);
    const gathered = await c.allgather(Int32Array.from([7]));
    expect(gathered).toBeInstanceOf(Int32Array);
    expect(Array.from(gathered)).toEqual([7]);
    await expect(c.broadcast(values, 1)).rejects.toThrow('root: expected a rank in 0..0, got 1');
  });
});

describe.skipIf(addonProblem() !== undefined)('the addon before mpiInit', () => {
  it('checks arguments and refuses collectives until MPI is initialised, without loading it', () => {
    const addon = loadAddon();
    expect(() => addon.mpiAllreduceSum([1, 2] as unknown as Float32Array)).toThrow(new TypeError('values: expected a Float32Array'));
    expect(() => addon.mpiAllgather(new Float64Array(2) as unknown as Float32Array)).toThrow('values: expected a Float32Array or an Int32Array');
    expect(() => addon.mpiAllreduceSum(new Float32Array(2))).toThrow('mpiAllreduceSum: MPI is not initialized (call mpiInit first)');
    expect(() => addon.mpiBarrier()).toThrow('mpiBarrier: MPI is not initialized');
    expect(() => addon.mpiFinalize()).not.toThrow();
  });
});

describe.skipIf(addonProblem() !== undefined)('a process without a launcher', () => {
  it('is a world of one and never loads libmpi', () => {
    const r = alone({});
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ rank: 0, size: 1, launch: null, libmpiMapped: false });
  });

  it('under a launcher of several processes, fails in one line naming the libmpi that does not load', () => {
    const r = alone({ OMPI_COMM_WORLD_SIZE: '2', OMPI_COMM_WORLD_RANK: '0', MNF_MPI_LIB: '/nonexistent/libmpi.so.40' });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^mnf-tui: mpirun started 2 processes \(this is rank 0\), but MPI cannot start: MNF_MPI_LIB=\/nonexistent\/libmpi\.so\.40 does not load: /,
    );
  });
});

describe.skipIf(problem !== undefined)(problem === undefined ? 'two ranks under mpirun' : `two ranks under mpirun: skipped, ${problem}`, () => {
  it('all-reduce, all-gather (float32 and int32), broadcast and the bucketed mean agree on both ranks', () => {
    const r = mpirun('collectives', 120_000);
    expect(r.error, r.stderr).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const ranks = ranksOf(r.stdout);
    expect(ranks.map((x) => x.rank)).toEqual([0, 1]);
    for (const x of ranks) {
      expect(x.size).toBe(2);
      expect(x.small).toEqual([3, 6, 9, 12, 15]); // (1 + 2) × [1..5]
      expect(x.bigAllEqual).toBe(3);
      expect(x.gathered).toEqual([0, 0, 1, 10]);
      expect(x.labels).toEqual([100, 101]);
      expect(x.labelsAreInt32).toBe(true);
      expect(x.broadcast).toEqual([7, 4]); // rank 1's
      expect(x.badRoot).toBe('RangeError: root: expected a rank in 0..1, got 2');
      expect(x.badArray).toBe('TypeError: values: expected a Float32Array');
      // sizes [3, 1000, 7, 5000] under a 4096-byte cap, last first: [5000], [7, 1000, 3]
      expect(x.buckets).toBe(2);
      expect(x.calls).toBe(2);
      // gradient t holds (rank + 1)(t + 1) + i: the mean over ranks is 1.5 (t + 1) + i
      expect(x.grads).toEqual([
        [1.5, 1.5 + 2],
        [3, 3 + 999],
        [4.5, 4.5 + 6],
        [6, 6 + 4999],
      ]);
    }
  });

  it('a rank that throws aborts the job with one line naming it; the other rank, waiting in a collective, ends too', () => {
    const r = mpirun('fail', 30_000);
    expect(r.error, 'the job ended before the 30 s timeout').toBeUndefined();
    expect(r.status).not.toBe(0);
    const ours = r.stderr.split('\n').filter((l) => l.startsWith('mnf-tui:'));
    expect(ours).toEqual(['mnf-tui: rank 1 of 2 failed: boom before the allreduce']);
    expect(r.stdout).not.toContain('after the allreduce');
  });

  it('a rank killed while the other waits in a collective ends the job, and mpirun names the rank', () => {
    const r = mpirun('killed', 30_000);
    expect(r.error, 'the job ended before the 30 s timeout').toBeUndefined();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/rank 1 .*exited on signal 9/);
    expect(r.stdout).not.toContain('after the allreduce');
  });
});
