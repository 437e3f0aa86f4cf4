// The data-parallel job this process belongs to: its world (launcher, rank, size), the collectives
// between its ranks, and what the trainer needs of them. Without a launcher: one process, no MPI.
import type { RunConfig } from '../config/types.js';
import { openCollectives, singleProcessCollectives, type Collectives } from './collectives.js';
import { hostDataParallel, type DataParallel } from './data-parallel.js';
import { joinWorld, type World } from './world.js';

export interface Job {
  readonly world: World;
  readonly collectives: Collectives;
  readonly dataParallel: DataParallel;
}

/** The job of a process no launcher started. */
export function singleProcessJob(): Job {
  const collectives = singleProcessCollectives();
  return { world: { size: 1, rank: 0 }, collectives, dataParallel: hostDataParallel(collectives) };
}

/** This process's job (MPI starts here under a launcher of several processes; DistributedSetupError when it cannot). */
export function openJob(config: Pick<RunConfig, 'localCsc' | 'syncBn'>): Job {
  const world = joinWorld();
  if (world.size === 1) return singleProcessJob();
  const collectives = openCollectives(world);
  return { world, collectives, dataParallel: hostDataParallel(collectives, { localCsc: config.localCsc, syncBn: config.syncBn }) };
}
