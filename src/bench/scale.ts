// mnf-tui bench scale [--json] [--preset bench-s] [--steps 5] [--warmup 2]
// Data-parallel scaling on backend native at the same global batch (the preset's `batch`): one
// process with 2 threads against `mpirun -np 2` ranks of 1 thread each, measured one after the
// other in the same run. Each configuration is a worker (this benchmark with --worker first, left
// out of the help) that trains mnf-csc steps on a synthetic batch held in memory (no decoding): its
// share of the global batch per rank, the gradients averaged over MPI, the CSC over the global
// batch. The worker times each step and the wall time inside the collectives during it (waiting
// for the slower rank included). Reports clips/s of the global batch, the share of a step spent
// communicating, and the ratio of 2 ranks' clips/s to 1 rank's.
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { initBackend } from '../backend/select.js';
import { parseFlags, UsageError, type FlagSpec } from '../commands/args.js';
import type { RunConfig } from '../config/types.js';
import { hostDataParallel } from '../distributed/data-parallel.js';
import { openJob } from '../distributed/job.js';
import { timedCollectives } from '../distributed/timed-collectives.js';
import { detectLaunch, withoutLaunch } from '../distributed/world.js';
import { createTrainer } from '../train/trainer.js';
import { randomBatch } from './step.js';
import { stepBenchOptions } from './step-options.js';

const FLAGS = {
  json: { type: 'boolean', description: 'one JSON document on stdout instead of text' },
  preset: { type: 'string', value: 'P', description: 'named configuration: its batch is the global batch', defaultText: 'bench-s' },
  steps: { type: 'string', value: 'N', description: 'timed steps per configuration', defaultText: '5' },
  warmup: { type: 'string', value: 'N', description: 'untimed steps before them', defaultText: '2' },
} as const satisfies Record<string, FlagSpec>;

/** the first word of a worker's command line (not in FLAGS, so no help page shows it) */
const WORKER = '--worker';
const RANKS = 2;
const THREADS = 2;

/** What rank 0 of a worker prints (one JSON line). */
interface WorkerResult {
  ranks: number;
  threadsPerRank: number;
  batchPerRank: number;
  msPerStep: number;
  /** wall ms per step inside the collectives (0 for one rank: its collectives are the identity) */
  communicationMsPerStep: number;
  /** what averages the gradients (DataParallel.chooseGradientCollectives) */
  gradients: string;
}

export interface Configuration {
  ranks: number;
  threadsPerRank: number;
  /** clips of the global batch per second */
  clipsPerSecond: number;
  msPerStep: number;
  /** communication ms / step ms */
  communicationShare: number;
  communicationMsPerStep: number;
  batchPerRank: number;
  gradients: string;
}

/** This process as a rank of a worker: timed steps on its share of the global batch; rank 0 prints the result. */
async function runWorker(config: RunConfig, steps: number, warmup: number): Promise<number> {
  const job = openJob(config);
  const timed = timedCollectives(job.collectives);
  const collectives = timed.collectives;
  const { rank, size } = collectives;
  try {
    const dataParallel = hostDataParallel(collectives, { localCsc: config.localCsc, syncBn: config.syncBn });
    const info = await initBackend('native');
    const trainer = createTrainer(config, dataParallel);
    const gradients = await dataParallel.chooseGradientCollectives();
    await trainer.synchronise();
    const batchPerRank = config.batch / size;
    const batch = randomBatch({ ...config, batch: batchPerRank }, config.seed + rank);
    for (let i = 0; i < warmup; i++) await trainer.step(batch);
    await collectives.barrier(); // the ranks start timing together
    timed.takeMs();
    let stepMs = 0;
    let communicationMs = 0;
    for (let i = 0; i < steps; i++) {
      const start = performance.now();
      await trainer.step(batch);
      stepMs += performance.now() - start;
      communicationMs += timed.takeMs();
    }
    trainer.dispose();
    dataParallel.close();
    const result: WorkerResult = {
      ranks: size,
      threadsPerRank: info.threads,
      batchPerRank,
      msPerStep: stepMs / steps,
      communicationMsPerStep: size > 1 ? communicationMs / steps : 0,
      gradients,
    };
    if (rank === 0) process.stdout.write(JSON.stringify(result) + '\n');
  } catch (err) {
    // the other rank waits in a collective for this one
    if (size > 1) collectives.abort((err as Error).message);
    throw err;
  }
  collectives.finalize();
  return 0;
}

interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runChild(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** Why mpirun cannot be started here, or undefined. */
async function mpirunProblem(): Promise<string | undefined> {
  try {
    const r = await runChild('mpirun', ['--version'], process.env);
    return r.status === 0 ? undefined : `mpirun --version exited with ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').pop() ?? ''}`;
  } catch (err) {
    return `mpirun not found (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): install openmpi-bin and libopenmpi-dev`;
  }
}

/** A failed worker's reason: the first line a rank wrote as the CLI (mpirun adds banners of its own), else stderr's last line. */
function failureLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^-+$/.test(l));
  const own = lines.find((l) => l.startsWith('mnf-tui: '));
  return own?.slice('mnf-tui: '.length) ?? lines.at(-1) ?? 'no result on stdout';
}

/** Runs one worker to its end and returns its rank 0's result; an Error naming `what` when it fails. */
async function measure(what: string, command: string, args: string[], threads: number): Promise<Configuration> {
  const env = { ...withoutLaunch(), MNF_THREADS: String(threads) };
  const r = await runChild(command, args, env);
  const line = r.stdout.split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || line === undefined) {
    const why = failureLine(r.stderr);
    throw new Error(`bench scale: ${what} failed (${r.status === null ? `signal ${r.signal}` : `exit ${r.status}`}): ${why}`);
  }
  const w = JSON.parse(line) as WorkerResult;
  return {
    ranks: w.ranks,
    threadsPerRank: w.threadsPerRank,
    clipsPerSecond: (w.batchPerRank * w.ranks * 1000) / w.msPerStep,
    msPerStep: w.msPerStep,
    communicationShare: w.communicationMsPerStep / w.msPerStep,
    communicationMsPerStep: w.communicationMsPerStep,
    batchPerRank: w.batchPerRank,
    gradients: w.gradients,
  };
}

function describe(c: Configuration): string {
  const rank = `${c.ranks} rank${c.ranks === 1 ? '' : 's'} × ${c.threadsPerRank} thread${c.threadsPerRank === 1 ? '' : 's'}`;
  const communication = c.ranks > 1 ? `, communication ${(100 * c.communicationShare).toFixed(1)}% of the step (${c.communicationMsPerStep.toFixed(0)} ms)` : '';
  return `  ${rank}: ${c.msPerStep.toFixed(0)} ms/step, ${c.clipsPerSecond.toFixed(2)} clips/s${communication}`;
}

export async function run(argv: string[]): Promise<number> {
  const worker = argv[0] === WORKER;
  const { values } = parseFlags(worker ? argv.slice(1) : argv, FLAGS);
  const { steps, warmup, preset, config } = stepBenchOptions(values);
  if (config.batch % RANKS !== 0 || config.batch / RANKS < 2) {
    throw new UsageError(`--preset ${preset}: batch ${config.batch} does not split into ${RANKS} shares of at least 2 clips (BatchNorm)`);
  }
  if (worker) return runWorker(config, steps, warmup);

  const launch = detectLaunch();
  if (launch && launch.size > 1) throw new UsageError(`bench scale: starts its own mpirun; run it as one process (this is rank ${launch.rank} of ${launch.size} under ${launch.launcher})`);
  const log = (line: string) => values.json || process.stderr.write(line + '\n');
  const cores = cpus().length;
  const load = loadavg()[0]!;

  // the same node, loader (--import tsx) and entry as this process
  const self = [...process.execArgv, process.argv[1]!, 'bench', 'scale', WORKER, '--preset', preset, '--steps', String(steps), '--warmup', String(warmup)];
  log(`bench scale: measuring 1 rank × ${THREADS} threads…`);
  const oneRank = await measure(`1 rank × ${THREADS} threads`, process.execPath, self, THREADS);
  const noMpirun = await mpirunProblem();
  let twoRanks: Configuration | { skipped: string };
  if (noMpirun) {
    twoRanks = { skipped: noMpirun };
    process.stderr.write(`bench scale: ${RANKS} ranks skipped: ${noMpirun}\n`);
  } else {
    log(`bench scale: measuring ${RANKS} ranks × 1 thread (mpirun)…`);
    const asRoot = process.getuid?.() === 0 ? ['--allow-run-as-root'] : [];
    // --oversubscribe: a machine with fewer slots than ranks (Open MPI counts cores)
    const mpirun = [...asRoot, '--oversubscribe', '-np', String(RANKS), '-x', 'MNF_THREADS', process.execPath, ...self];
    twoRanks = await measure(`${RANKS} ranks × 1 thread (mpirun)`, 'mpirun', mpirun, 1);
  }
  const ratio = 'skipped' in twoRanks ? null : twoRanks.clipsPerSecond / oneRank.clipsPerSecond;

  const report = {
    bench: 'scale',
    preset,
    method: 'mnf-csc',
    backend: 'native',
    measured: 'training steps on a synthetic batch held in memory (no decoding); both configurations in this same run, one after the other',
    batch: config.batch,
    clip: [config.clipLength, config.size, config.size],
    steps,
    warmup,
    machine: { cores, loadAverage1m: load },
    oneRank,
    twoRanks,
    /** twoRanks.clipsPerSecond / oneRank.clipsPerSecond */
    ratio,
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `bench scale: mnf-csc training steps on backend native, preset ${preset}, global batch ${config.batch} of ${config.clipLength}×${config.size}×${config.size} clips, ${steps} timed after ${warmup} warm-up`,
    `  measured: a synthetic batch in memory (no decoding); both configurations in this same run, one after the other; ${cores} cores, load ${load.toFixed(2)} at the start`,
    describe(oneRank),
    'skipped' in twoRanks ? `  ${RANKS} ranks × 1 thread: skipped (${twoRanks.skipped})` : describe(twoRanks),
    ratio === null ? '  ratio: none (2 ranks skipped)' : `  ratio (2 ranks' clips/s / 1 rank's): ${ratio.toFixed(3)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
