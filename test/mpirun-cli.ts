// Runs the CLI under `mpirun -np N` (Open MPI, as root on a small machine) as a user would, for the
// data-parallel tests; `mpirunProblem` says why they cannot run here (no mpirun, no addon).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { withoutLaunch } from '../src/distributed/world.js';
import { addonProblem } from '../src/native/addon.js';
import { watchCli, type RunningCli } from './cli-process.js';
import { runProcess, type Finished } from './run-process.js';

const ROOT = join(__dirname, '..');
const CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli.ts')];

export const mpirunProblem: string | undefined = (() => {
  const r = spawnSync('mpirun', ['--version'], { encoding: 'utf8' });
  if (r.error) return `mpirun not found (${(r.error as NodeJS.ErrnoException).code}): install openmpi-bin and libopenmpi-dev`;
  return addonProblem();
})();

/** The environment of a process no launcher started. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...withoutLaunch(), ...extra };
}

function mpirunArgs(ranks: number, args: string[]): string[] {
  return ['--allow-run-as-root', '--oversubscribe', '-np', String(ranks), process.execPath, ...CLI, ...args];
}

/** `mpirun -np ranks mnf-tui args…` to its end (killed after `timeout` ms); `env` adds to every rank's environment. */
export function mpirunCli(ranks: number, args: string[], timeout = 240_000, env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return runProcess('mpirun', mpirunArgs(ranks, args), { cwd: ROOT, env: cleanEnv(env), timeout });
}

/** mpirun of one process per argument list (MPMD: `-np 1 mnf-tui a… : -np 1 mnf-tui b…`), rank r running `perRank[r]`. */
export function mpirunCliPerRank(perRank: string[][], timeout = 240_000): Promise<Finished> {
  const apps = perRank.flatMap((args, r) => [...(r > 0 ? [':'] : []), '-np', '1', process.execPath, ...CLI, ...args]);
  return runProcess('mpirun', ['--allow-run-as-root', '--oversubscribe', ...apps], { cwd: ROOT, env: cleanEnv(), timeout });
}

/** One process of the CLI, no launcher (the single-process schedule). */
export function soloCli(args: string[], timeout = 240_000): Promise<Finished> {
  return runProcess(process.execPath, [...CLI, ...args], { cwd: ROOT, env: cleanEnv(), timeout });
}

/** `mpirun -np ranks mnf-tui args…`, running. */
export function startMpirunCli(ranks: number, args: string[]): RunningCli {
  return watchCli(spawn('mpirun', mpirunArgs(ranks, args), { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] }));
}
