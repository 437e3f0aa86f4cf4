// Where training stands between two pieces of work: the step boundaries of the engine's loop.
// A position is plain JSON and is what a checkpoint stores, so every boundary resumes exactly:
//   { epoch: e, batch: b }, b < N   before batch b (0-based) of epoch e          → 'batch'
//   { epoch: e, batch: N }          every batch of epoch e trained; its summary,
//                                   scheduled validation and checkpoint pending → 'epoch-end'
//   { epoch: E, batch: 0 }          every epoch trained (E = epochs)             → 'complete'
// `epoch` is also the number of epochs completed, the one meaning `epoch` has in every event.
export interface TrainingPosition {
  epoch: number;
  /** batches of epoch `epoch` already consumed (trained or skipped) */
  batch: number;
  /** optimisation steps taken */
  step: number;
}

export type Boundary = 'batch' | 'epoch-end' | 'complete';

export const START: TrainingPosition = { epoch: 0, batch: 0, step: 0 };

export function boundaryAt(p: TrainingPosition, batchesPerEpoch: number, epochs: number): Boundary {
  if (p.epoch >= epochs) return 'complete';
  return p.batch >= batchesPerEpoch ? 'epoch-end' : 'batch';
}

/** After a batch was consumed: `trained` says whether it made an optimisation step. */
export function afterBatch(p: TrainingPosition, consumedUpTo: number, trained: boolean): TrainingPosition {
  return { epoch: p.epoch, batch: consumedUpTo, step: p.step + (trained ? 1 : 0) };
}

/** After an epoch's end (summary, scheduled validation, checkpoint): the next epoch's start. */
export function afterEpochEnd(p: TrainingPosition): TrainingPosition {
  return { epoch: p.epoch + 1, batch: 0, step: p.step };
}

export function samePosition(a: TrainingPosition | null, b: TrainingPosition): boolean {
  return a !== null && a.epoch === b.epoch && a.batch === b.batch && a.step === b.step;
}
