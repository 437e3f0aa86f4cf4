// The engine's view of the data: what it trains on, validates on and retrieves from. One adapter
// over src/data (openDataset, createLoader) so the engine holds no loader details.
import type { ClipBatch, VideoRecord } from '../data/types.js';
import type { RunConfig } from '../config/types.js';
import { DatasetError } from '../data/annotation.js';
import type { Dataset } from '../data/dataset.js';
import { createLoader, type ClipLoader, type ClipTarget, type LoaderPosition } from '../data/loader.js';
import { currentClipTarget } from '../backend/cuda/clip-target.js';
import { readTeacherTruth, type TeacherTruth } from '../data/teacher-truth.js';

export interface EpochBatches extends AsyncIterable<ClipBatch> {
  /** batches of this epoch consumed so far, trained or skipped as faulty (0..batchesPerEpoch) */
  consumed(): number;
}

export interface TrainingData {
  classNames: string[];
  teacherDim: number;
  training: VideoRecord[];
  validation: VideoRecord[];
  batchesPerEpoch: number;
  /** where each video's teacher feature came from (generated datasets' teacher_truth.json); null when unknown */
  teacherTruth: TeacherTruth | null;
  /**
   * The training batches of one epoch (seeded order), from its start or from batch `fromBatch`
   * (resuming mid-epoch). Epochs are asked for in order.
   */
  trainEpoch(epoch: number, fromBatch?: number): EpochBatches;
  /** clip-level validation ('val': 3 clips per video) or non-overlapping test windows ('test') */
  evalBatches(mode: 'val' | 'test', subset: 'training' | 'validation'): AsyncIterable<ClipBatch>;
  /** resolves once no decode is in flight */
  close(): Promise<void>;
}

export interface DataHooks {
  onProgress(stage: string, done: number, total: number): void;
  onWarning(message: string): void;
}

/** Why a model with `numClasses` outputs cannot serve this data, or null when it can. */
export function classCountMismatch(data: Pick<TrainingData, 'classNames'>, numClasses: number, dataset: string | null | undefined): string | null {
  const classes = data.classNames.length;
  return classes === numClasses ? null : `dataset ${dataset ?? '(default)'} has ${classes} classes; the checkpoint's model has ${numClasses}`;
}

/**
 * The engine's data over src/data: one training loader for the run, fresh loaders for evaluation.
 * In a data-parallel job (`shard`) the training loader yields this rank's share of each batch.
 * Clips are decoded onto `clipTarget`'s device (by default the current backend's when it is cuda),
 * or into host memory (null, or another backend).
 */
export function trainingDataFrom(
  dataset: Dataset,
  config: RunConfig,
  hooks: DataHooks,
  clipTarget: ClipTarget | null = currentClipTarget() ?? null,
  shard?: { rank: number; size: number },
): TrainingData {
  const common = {
    batchSize: config.batch,
    clipLength: config.clipLength,
    size: config.size,
    seed: config.seed,
    onBadSample: config.onBadSample,
    clipTarget: clipTarget ?? undefined,
  };
  let trainLoader: ClipLoader | null = null;
  const open: ClipLoader[] = [];
  const forwardWarnings = (loader: ClipLoader) => {
    for (const w of loader.takeWarnings()) hooks.onWarning(w.message);
  };
  for (const p of dataset.problems) hooks.onWarning(p.message);
  const training = dataset.videos('training');
  const validation = dataset.videos('validation');
  if (validation.length === 0) throw new DatasetError(`${dataset.dir}: no usable validation videos (needed for evaluation)`);
  let teacherTruth: TeacherTruth | null = null;
  try {
    teacherTruth = readTeacherTruth(dataset.dir);
  } catch (err) {
    if (!(err instanceof DatasetError)) throw err;
    hooks.onWarning(`${err.message}; the gate diagnostics go without it`);
  }

  function trainEpoch(epoch: number, fromBatch = 0): EpochBatches {
    if (!trainLoader) {
      const position: LoaderPosition = { epoch, batch: fromBatch, seed: config.seed, rngState: 'derived' };
      trainLoader = createLoader(dataset, { ...common, subset: 'training', mode: 'train', position, ...(shard ? { shard } : {}) });
      open.push(trainLoader);
    }
    const loader = trainLoader;
    const at = loader.position();
    if (at.epoch !== epoch || (fromBatch > 0 && at.batch !== fromBatch)) {
      throw new Error(`training loader is at epoch ${at.epoch} batch ${at.batch}, the engine asked for epoch ${epoch} batch ${fromBatch}`);
    }
    return {
      // the loader reports the next epoch's start once this one is used up
      consumed: () => {
        const p = loader.position();
        return p.epoch === epoch ? p.batch : loader.batchesPerEpoch;
      },
      async *[Symbol.asyncIterator]() {
        for await (const batch of loader) {
          forwardWarnings(loader);
          yield batch;
        }
        forwardWarnings(loader);
      },
    };
  }

  async function* evalBatches(mode: 'val' | 'test', subset: 'training' | 'validation'): AsyncGenerator<ClipBatch> {
    const loader = createLoader(dataset, { ...common, subset, mode, epoch: 0, dropLast: false });
    open.push(loader);
    try {
      for await (const batch of loader) yield batch;
      forwardWarnings(loader);
    } finally {
      open.splice(open.indexOf(loader), 1);
      await loader.close();
    }
  }

  return {
    classNames: dataset.classNames,
    teacherDim: dataset.teacherDim,
    training,
    validation,
    batchesPerEpoch: Math.floor(training.length / config.batch),
    teacherTruth,
    trainEpoch,
    evalBatches,
    close: async () => {
      await Promise.all(open.splice(0).map((loader) => loader.close()));
    },
  };
}
