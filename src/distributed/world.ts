// Where this process sits in a data-parallel job. The launcher's environment says whether one
// started it and as which rank: Open MPI's mpirun (OMPI_COMM_WORLD_SIZE/RANK), a PMI launcher such as
// MPICH's hydra (PMI_SIZE/PMI_RANK), or SLURM's srun (SLURM_STEP_NUM_TASKS/SLURM_PROCID: a job step;
// an sbatch script itself also has SLURM_NTASKS, but is one process). Without one the world is one
// process and MPI is never loaded; with one, MPI starts on the first joinWorld().
import { mpiInit, type MpiInitResult } from '../native/mpi.js';

export type Launcher = 'mpirun' | 'pmi' | 'srun';

export interface Launch {
  launcher: Launcher;
  size: number;
  rank: number;
}

export interface World {
  size: number;
  rank: number;
  /** the launcher that started this process, when one did */
  launch?: Launch;
  /** the libmpi file loaded, when MPI runs (size > 1) */
  library?: string;
}

/** The job cannot start: a malformed launcher environment, or MPI that does not load or disagrees with it (exit code 1). */
export class DistributedSetupError extends Error {
  override name = 'DistributedSetupError';
}

const LAUNCHERS: { launcher: Launcher; size: string; rank: string }[] = [
  { launcher: 'mpirun', size: 'OMPI_COMM_WORLD_SIZE', rank: 'OMPI_COMM_WORLD_RANK' },
  { launcher: 'pmi', size: 'PMI_SIZE', rank: 'PMI_RANK' },
  { launcher: 'srun', size: 'SLURM_STEP_NUM_TASKS', rank: 'SLURM_PROCID' },
];

function integerVariable(env: NodeJS.ProcessEnv, name: string, min: number): number {
  const text = env[name]!;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min) throw new DistributedSetupError(`${name}=${text}: expected an integer >= ${min}`);
  return value;
}

/** The launch this environment describes, or undefined when no launcher started the process. */
export function detectLaunch(env: NodeJS.ProcessEnv = process.env): Launch | undefined {
  for (const { launcher, size: sizeName, rank: rankName } of LAUNCHERS) {
    if (env[sizeName] === undefined || env[rankName] === undefined) continue;
    const size = integerVariable(env, sizeName, 1);
    const rank = integerVariable(env, rankName, 0);
    if (rank >= size) throw new DistributedSetupError(`${rankName}=${rank} is not below ${sizeName}=${size}`);
    return { launcher, size, rank };
  }
  return undefined;
}

/** `env` without the variables by which a launcher tells a process its rank: a child started with it is not taken for a rank. */
export function withoutLaunch(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const names = new Set(LAUNCHERS.flatMap(({ size, rank }) => [size, rank]));
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.has(name)));
}

let joined: World | undefined;

/**
 * This process's world, the same on every call. A launch of more than one process initialises MPI;
 * throws DistributedSetupError (one line naming what was searched) when libmpi cannot be loaded, or
 * when MPI's world is not the launcher's (an MPI other than the launcher's was loaded).
 */
export function joinWorld(env: NodeJS.ProcessEnv = process.env): World {
  if (joined) return joined;
  const launch = detectLaunch(env);
  if (!launch || launch.size === 1) return (joined = launch ? { size: 1, rank: 0, launch } : { size: 1, rank: 0 });
  let mpi: MpiInitResult;
  try {
    mpi = mpiInit();
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    throw new DistributedSetupError(`${launch.launcher} started ${launch.size} processes (this is rank ${launch.rank}), but MPI cannot start: ${why}`);
  }
  if (mpi.size !== launch.size || mpi.rank !== launch.rank) {
    throw new DistributedSetupError(
      `${launch.launcher} says rank ${launch.rank} of ${launch.size}, but MPI (${mpi.library}) says rank ${mpi.rank} of ${mpi.size}: ` +
        'launch with the mpirun of the Open MPI that is loaded (MNF_MPI_LIB names another libmpi.so.40)',
    );
  }
  return (joined = { size: mpi.size, rank: mpi.rank, launch, library: mpi.library });
}
