// `mnf-tui bench scale` (issue 15): the report's shape for 1 rank × 2 threads and, under mpirun,
// 2 ranks × 1 thread at the same global batch; a bad --steps; and the timed collectives it reads
// communication from (counted while at least one call is in flight, reset by each takeMs).
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { singleProcessCollectives, type Collectives } from '../src/distributed/collectives.js';
import { timedCollectives } from '../src/distributed/timed-collectives.js';
import { addonProblem } from '../src/native/addon.js';
import { ROOT } from './cli-process.js';
import { cleanEnv, mpirunProblem } from './mpirun-cli.js';
import { runProcess, type Finished } from './run-process.js';

const CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli.ts')];
const cli = (args: string[]) => runProcess(process.execPath, [...CLI, ...args], { cwd: ROOT, env: cleanEnv(), timeout: 600_000 });

interface Configuration {
  ranks: number;
  threadsPerRank: number;
  clipsPerSecond: number;
  msPerStep: number;
  communicationShare: number;
}

interface Report {
  bench: string;
  batch: number;
  oneRank: Configuration;
  twoRanks: Configuration | { skipped: string };
  ratio: number | null;
}

describe('bench scale flags', () => {
  it('refuses --steps 0 in one line naming --steps (exit 2)', async () => {
    const r = await cli(['bench', 'scale', '--steps', '0']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual(["mnf-tui: --steps: expected an integer >= 1, got '0'"]);
  });
});

describe.skipIf(addonProblem() !== undefined)('bench scale --json', () => {
  let run: Finished;
  let report: Report;
  beforeAll(async () => {
    run = await cli(['bench', 'scale', '--json', '--steps', '2', '--warmup', '1']);
    if (run.status !== 0) throw new Error(`bench scale exited with ${run.status}; stderr:\n${run.stderr}`);
    report = JSON.parse(run.stdout) as Report;
  }, 600_000);

  it('measures one process of 2 threads: positive clips/s and ms/step, no communication', () => {
    expect(report.bench).toBe('scale');
    expect(report.oneRank).toMatchObject({ ranks: 1, threadsPerRank: 2, communicationShare: 0 });
    expect(report.oneRank.clipsPerSecond).toBeGreaterThan(0);
    expect(report.oneRank.msPerStep).toBeGreaterThan(0);
    // clips/s is of the global batch
    expect(report.oneRank.clipsPerSecond).toBeCloseTo((report.batch * 1000) / report.oneRank.msPerStep, 9);
  });

  it.skipIf(mpirunProblem !== undefined)(
    mpirunProblem === undefined ? 'measures 2 ranks of 1 thread under mpirun, part of each step communicating, and their ratio' : `2 ranks: skipped, ${mpirunProblem}`,
    () => {
      const two = report.twoRanks as Configuration;
      expect(two).toMatchObject({ ranks: 2, threadsPerRank: 1 });
      expect(two.clipsPerSecond).toBeGreaterThan(0);
      expect(two.msPerStep).toBeGreaterThan(0);
      expect(two.communicationShare).toBeGreaterThan(0);
      expect(two.communicationShare).toBeLessThan(1);
      expect(report.ratio).toBeCloseTo(two.clipsPerSecond / report.oneRank.clipsPerSecond, 12);
    },
  );

  it.runIf(mpirunProblem !== undefined)('without mpirun, says why the 2 ranks were skipped and gives no ratio', () => {
    expect(report.twoRanks).toEqual({ skipped: expect.stringContaining('mpirun') });
    expect(report.ratio).toBeNull();
  });
});

describe('timed collectives', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** one-process collectives whose allreduceSum settles `ms` later and whose allgatherNow takes `ms` */
  function slowCollectives(ms: number): Collectives {
    const inner = singleProcessCollectives();
    return {
      ...inner,
      allreduceSum: (values) => new Promise((resolve) => setTimeout(() => resolve(values), ms)),
      allgatherNow: (values) => {
        vi.advanceTimersByTime(ms);
        return inner.allgatherNow(values);
      },
    };
  }

  it('count the time while any call is in flight once, blocking calls too, and restart at each takeMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    const timed = timedCollectives(slowCollectives(40));
    const values = Float32Array.of(1, 2);
    // two overlapping allreduces: 40 ms in flight, not 80
    const both = Promise.all([timed.collectives.allreduceSum(values), timed.collectives.allreduceSum(values)]);
    await vi.advanceTimersByTimeAsync(40);
    await both;
    await vi.advanceTimersByTimeAsync(100); // outside any call: not counted
    expect(timed.takeMs()).toBe(40);
    expect(timed.takeMs()).toBe(0);
    expect(Array.from(timed.collectives.allgatherNow(Int32Array.of(3)))).toEqual([3]);
    expect(timed.takeMs()).toBe(40);
  });

  it('split a call in flight across takeMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    const timed = timedCollectives(slowCollectives(40));
    const pending = timed.collectives.allreduceSum(Float32Array.of(1));
    await vi.advanceTimersByTimeAsync(15);
    expect(timed.takeMs()).toBe(15);
    await vi.advanceTimersByTimeAsync(25);
    await pending;
    expect(timed.takeMs()).toBe(25);
  });
});
