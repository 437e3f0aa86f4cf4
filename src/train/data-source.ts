// The engine's view of the data: what it trains on, validates on and retrieves from. One adapter
// over src/data (openDataset, createLoader) so the engine holds no loader details.
import type { ClipBatch, VideoRecord } from '../data/types.js';
import type { RunConfig } from '../config/types.js';

export interface EpochBatches extends AsyncIterable<ClipBatch> {
  /** milliseconds spent waiting for batches so far in this epoch */
  waitMs(): number;
  /** serialisable position after the last batch handed out (resumes mid-epoch), or null */
  position(): unknown;
  close(): void;
}

export interface TrainingData {
  classNames: string[];
  teacherDim: number;
  training: VideoRecord[];
  validation: VideoRecord[];
  batchesPerEpoch: number;
  /** the training batches of one epoch (seeded order), from the start or from a saved position */
  trainEpoch(epoch: number, from?: unknown): EpochBatches;
  /** clip-level validation ('val': 3 clips per video) or non-overlapping test windows ('test') */
  evalBatches(mode: 'val' | 'test', subset: 'training' | 'validation'): AsyncIterable<ClipBatch>;
  close(): void;
}

export interface DataHooks {
  onProgress(stage: string, done: number, total: number): void;
  onWarning(message: string): void;
}

export type OpenTrainingData = (config: RunConfig, hooks: DataHooks) => Promise<TrainingData>;
