// What the data side hands to training: batches of normalised clips with teacher features.
import type { Tensor5D } from '@tensorflow/tfjs-core';

export type Subset = 'training' | 'validation';

export interface VideoRecord {
  id: string;
  label: number;
  className: string;
  subset: Subset;
  frameCount: number;
  /** .hdf5 holding dataset `video` (one JPEG per frame) */
  videoPath: string;
  /** .npy holding the teacher feature */
  teacherPath: string;
  /** size of frame 0 in pixels (filled by openDataset) */
  width?: number;
  height?: number;
}

export interface ClipBatch {
  /**
   * float32 (B, T, H, W, 3), ImageNet-normalised. A batch decoded on a device (`deviceClips`) reads
   * them back from it on first use (a diagnosis's path; the step takes the tensor).
   */
  clips: Float32Array;
  /**
   * The clips as a tensor on the backend's device, when the loader decoded them there (its clip
   * target). The loader owns it: it is disposed when the next batch is asked for, or the loader closes.
   */
  deviceClips?: Tensor5D;
  shape: [number, number, number, number, number];
  /** float32 (B, teacherDim) */
  teacher: Float32Array;
  teacherDim: number;
  labels: Int32Array;
  /** index into the subset's video list, one per clip (test windows repeat a video) */
  videoIndex: Int32Array;
}
