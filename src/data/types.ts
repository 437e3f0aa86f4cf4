// What the data side hands to training: batches of normalised clips with teacher features.
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
  /** float32 (B, T, H, W, 3), ImageNet-normalised */
  clips: Float32Array;
  shape: [number, number, number, number, number];
  /** float32 (B, teacherDim) */
  teacher: Float32Array;
  teacherDim: number;
  labels: Int32Array;
  /** index into the subset's video list, one per clip (test windows repeat a video) */
  videoIndex: Int32Array;
}
