// Continuing a run from a checkpoint: the configuration it continues with, and the training
// position it continues at.
import { DEFAULT_MATH_MODE } from '../backend/cuda/math-mode.js';
import type { RunConfig } from '../config/types.js';
import { withCurrentKeys } from '../config/validate.js';
import type { CheckpointMeta } from './checkpoint.js';
import type { TrainingPosition } from './training-position.js';

/** What a resumed run may change: the total number of epochs and how backend cuda computes. */
export type ResumeChanges = Partial<Pick<RunConfig, 'epochs' | 'precision' | 'tf32'>>;

const ONE_PROCESS: Pick<RunConfig, 'localCsc' | 'syncBn'> = { localCsc: false, syncBn: false };

/** The checkpoint's configuration continues, with the changes given (an undefined field keeps the checkpoint's). */
export function continueConfig(saved: RunConfig, changes: ResumeChanges = {}): RunConfig {
  const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  // checkpoints written before --precision and --tf32 existed computed in fp32 with TF32 allowed;
  // before --local-csc and --sync-bn, they were one process's
  return { ...DEFAULT_MATH_MODE, ...ONE_PROCESS, ...(withCurrentKeys(saved) as RunConfig), ...given };
}

/**
 * The position a checkpoint continues at. Checkpoints of format version 1 kept a loader position
 * instead of `batch`; one that points at the next epoch's start was saved after an epoch's last
 * batch, before that epoch's end (the position `{ epoch, batch: N }` now).
 */
export function resumePosition(meta: CheckpointMeta, batchesPerEpoch: number, where: string): TrainingPosition {
  let batch = meta.batch;
  if (batch === undefined) {
    const loader = meta.loader as { epoch?: number; batch?: number } | null | undefined;
    if (!loader || loader.epoch === undefined) batch = 0;
    else if (loader.epoch === meta.epoch + 1) batch = batchesPerEpoch;
    else batch = loader.batch ?? 0;
  }
  if (!Number.isInteger(batch) || batch < 0 || batch > batchesPerEpoch) {
    throw new Error(`checkpoint ${where}: saved at batch ${batch} of an epoch, but this data has ${batchesPerEpoch} batches per epoch`);
  }
  return { epoch: meta.epoch, batch, step: meta.step };
}
