// Prefetching clip loader: plans clips per epoch (seeded), keeps `prefetch` batches decoding in the
// addon (off the JS thread, one Float32Array per batch, or one device tensor with a clip target),
// and yields ClipBatch in order.
// Iterating once yields the rest of the current epoch; iterating again continues with the next
// epoch (prefetch runs across the boundary). Every random choice is drawn from a stream keyed by
// (seed, epoch, sample), so position() = {epoch, batch} resumes exactly, mid-epoch included.
import type { Tensor5D } from '@tensorflow/tfjs-core';
import { allocClipBuffer, closeVideoFiles, decodeClips } from '../native/decode.js';
import type { DeviceClipsRequest } from '../native/device-clips.js';
import { DatasetError } from './annotation.js';
import type { Dataset, OnBadSample } from './dataset.js';
import { faultOf } from './dataset.js';
import { Rng } from '../rng.js';
import { createDistributedSampler, type DistributedSampler } from '../distributed/sampler.js';
import { evenlySpacedClips, trainClip, trainOrder, windowClips, type ClipMode, type ClipPlan } from './sampler.js';
import type { ClipBatch, Subset, VideoRecord } from './types.js';

export interface LoaderOptions {
  subset: Subset;
  mode: ClipMode;
  batchSize: number;
  /** frames per clip (T) */
  clipLength: number;
  /** output side (H = W) */
  size: number;
  seed: number;
  /** first epoch (0-based); ignored when `position` is given */
  epoch?: number;
  /** batches decoded ahead of the consumer (default 2) */
  prefetch?: number;
  onBadSample?: OnBadSample;
  /** drop an incomplete last batch (default: true in train mode) */
  dropLast?: boolean;
  /** where the crop/resize/normalise runs; 'cuda' needs a usable GPU */
  device?: 'cpu' | 'cuda';
  /** decode each batch's clips onto a device instead of host memory (`device` is then unused) */
  clipTarget?: ClipTarget;
  /** val mode: clips per video (default 3) */
  clipsPerVideo?: number;
  /** resume here (from position()) */
  position?: LoaderPosition;
  /**
   * train mode in a data-parallel job: this rank's share of every batch (`batchSize` is then the
   * global batch; src/distributed/sampler.ts splits it)
   */
  shard?: { rank: number; size: number };
}

/**
 * Where a batch's clips go instead of host memory: a device that holds them as a tensor (backend
 * cuda's: src/backend/cuda/clip-target.ts).
 */
export interface ClipTarget {
  /** Decodes the clips onto the device as a (B, T, S, S, 3) tensor, with one fault (or null) per clip, whose slice is zeroed. */
  decode(request: DeviceClipsRequest): Promise<{ faults: (string | null)[]; clips: Tensor5D }>;
  /** The clips at `rows` of a decoded batch, as a new tensor; disposes `clips`. */
  keep(clips: Tensor5D, rows: number[]): Tensor5D;
}

/** A batch whose clips are a device tensor; `clips` reads them back on first use. */
function deviceBatch(tensor: Tensor5D, rest: Omit<ClipBatch, 'clips' | 'deviceClips'>): ClipBatch {
  let values: Float32Array | undefined;
  return {
    ...rest,
    deviceClips: tensor,
    get clips() {
      return (values ??= tensor.dataSync() as Float32Array);
    },
  };
}

/** Serialisable: the next batch to be yielded. */
export interface LoaderPosition {
  epoch: number;
  batch: number;
  seed: number;
  /** random streams are derived from (seed, epoch, sample): there is no live state to carry */
  rngState: 'derived';
}

export interface LoaderWarning {
  type: 'bad-sample';
  id: string;
  file: string;
  /** one line naming the file and the fault */
  message: string;
}

export interface LoaderStats {
  batches: number;
  clips: number;
  /** time the consumer spent waiting for a batch that was not ready (ms) */
  waitMs: number;
  /** wait for the last batch (ms) */
  lastWaitMs: number;
  /** clips left out (of the batches handed out) because their video is faulty */
  skippedClips: number;
}

export interface ClipLoader extends AsyncIterable<ClipBatch> {
  readonly batchesPerEpoch: number;
  readonly videos: VideoRecord[];
  position(): LoaderPosition;
  stats(): LoaderStats;
  /** warnings since the last call (bad samples skipped) */
  takeWarnings(): LoaderWarning[];
  /** stops prefetching; resolves once the batches in flight have finished decoding (then dropped) */
  close(): Promise<void>;
}

/** A decoded batch (null when every clip was faulty), with what it left out. */
interface Decoded {
  batch: ClipBatch | null;
  skipped: number;
  warnings: LoaderWarning[];
}

interface Pending {
  epoch: number;
  batch: number;
  result: Promise<Decoded>;
}

/** A share none of whose clips decoded. */
function emptyBatch(T: number, S: number, teacherDim: number): ClipBatch {
  return { clips: new Float32Array(0), shape: [0, T, S, S, 3], teacher: new Float32Array(0), teacherDim, labels: new Int32Array(0), videoIndex: new Int32Array(0) };
}

/** This rank's share of each global batch: positions in the epoch's order, so each clip's random stream is the one-process loader's. */
function shardSampler(shard: { rank: number; size: number }, mode: ClipMode, seed: number, videos: number, batchSize: number): DistributedSampler {
  if (mode !== 'train') throw new DatasetError(`shard: only train mode is split between ranks, got mode '${mode}'`);
  return createDistributedSampler({ order: (epoch) => trainOrder(seed, epoch, videos), samples: videos, globalBatch: batchSize, worldSize: shard.size, rank: shard.rank });
}

export function createLoader(dataset: Dataset, options: LoaderOptions): ClipLoader {
  const videos = dataset.videos(options.subset);
  const { batchSize, clipLength: T, size: S, seed, mode } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new DatasetError(`batchSize: expected an integer >= 1, got ${batchSize}`);
  if (!Number.isInteger(T) || T < 1) throw new DatasetError(`clipLength: expected an integer >= 1, got ${T}`);
  if (!Number.isInteger(S) || S < 1) throw new DatasetError(`size: expected an integer >= 1, got ${S}`);
  if (videos.length === 0) throw new DatasetError(`${dataset.dir}: no usable ${options.subset} videos`);
  const prefetch = Math.max(1, options.prefetch ?? 2);
  const onBad = options.onBadSample ?? 'skip';
  const dropLast = options.dropLast ?? mode === 'train';
  const teacherDim = dataset.teacherDim;
  const badVideos = new Map<number, string>();
  const warned = new Set<string>();
  let warnings: LoaderWarning[] = [];
  const stats: LoaderStats = { batches: 0, clips: 0, waitMs: 0, lastWaitMs: 0, skippedClips: 0 };

  const planCache = new Map<number, ClipPlan[]>();
  function plans(epoch: number): ClipPlan[] {
    let p = planCache.get(epoch);
    if (p) return p;
    if (mode === 'train') {
      const order = trainOrder(seed, epoch, videos.length);
      p = order.map((v, k) => {
        const r = videos[v];
        return trainClip(v, r.frameCount, r.width ?? 0, r.height ?? 0, T, Rng.from(seed, epoch, k));
      });
    } else if (mode === 'val') {
      p = videos.flatMap((r, v) => evenlySpacedClips(v, r.frameCount, r.width ?? 0, r.height ?? 0, T, options.clipsPerVideo ?? 3));
    } else {
      p = videos.flatMap((r, v) => windowClips(v, r.frameCount, r.width ?? 0, r.height ?? 0, T));
    }
    planCache.set(epoch, p);
    for (const e of planCache.keys()) if (e < epoch - 1 || e > epoch + 1) planCache.delete(e);
    return p;
  }
  const clipsPerEpoch = plans(options.position?.epoch ?? options.epoch ?? 0).length;
  const batchesPerEpoch = dropLast ? Math.floor(clipsPerEpoch / batchSize) : Math.ceil(clipsPerEpoch / batchSize);
  if (batchesPerEpoch === 0) {
    throw new DatasetError(`${dataset.dir}: ${clipsPerEpoch} ${options.subset} clips, fewer than one batch of ${batchSize}`);
  }
  const sampler = options.shard ? shardSampler(options.shard, mode, seed, videos.length, batchSize) : null;

  async function decodeBatch(epoch: number, batch: number): Promise<Decoded> {
    const planned = sampler
      ? sampler.share(epoch, batch).positions.map((p) => plans(epoch)[p]!)
      : plans(epoch).slice(batch * batchSize, (batch + 1) * batchSize);
    const chosen = planned.filter((p) => !badVideos.has(p.video));
    const result: Decoded = { batch: null, skipped: planned.length - chosen.length, warnings: [] };
    if (chosen.length === 0) return result;
    const B = chosen.length;
    const request: DeviceClipsRequest = {
      paths: chosen.map((p) => videos[p.video].videoPath),
      frames: Int32Array.from(chosen.flatMap((p) => p.frames)),
      boxes: Float32Array.from(chosen.flatMap((p) => [p.box.x, p.box.y, p.box.width, p.box.height])),
      flips: Uint8Array.from(chosen.map((p) => (p.flip ? 1 : 0))),
      size: S,
    };
    if (options.clipTarget) {
      const { faults, clips } = await options.clipTarget.decode(request);
      try {
        const keep = keptClips(chosen, faults, result);
        if (keep.length === 0) {
          clips.dispose();
          return result;
        }
        const labels = batchLabels(chosen, keep);
        const kept = keep.length === B ? clips : options.clipTarget.keep(clips, keep);
        result.batch = deviceBatch(kept, { shape: [keep.length, T, S, S, 3], ...labels });
        return result;
      } catch (err) {
        if (!clips.isDisposed) clips.dispose();
        throw err;
      }
    }
    const out = allocClipBuffer(B * T * S * S * 3);
    const errors = await decodeClips({ ...request, out, device: options.device });
    const keep = keptClips(chosen, errors, result);
    if (keep.length === 0) return result;
    const clipFloats = T * S * S * 3;
    const clips = keep.length === B ? out : new Float32Array(keep.length * clipFloats);
    if (clips !== out) keep.forEach((src, dst) => clips.set(out.subarray(src * clipFloats, (src + 1) * clipFloats), dst * clipFloats));
    result.batch = { clips, shape: [keep.length, T, S, S, 3], ...batchLabels(chosen, keep) };
    return result;
  }

  /** The clips that decoded; the others' videos are marked bad and warned about (or the load fails). */
  function keptClips(chosen: ClipPlan[], errors: (string | null)[], result: Decoded): number[] {
    const keep: number[] = [];
    errors.forEach((error, i) => {
      if (error === null) return keep.push(i);
      const record = videos[chosen[i].video];
      if (onBad === 'fail') throw new DatasetError(error);
      badVideos.set(chosen[i].video, error);
      result.warnings.push({ type: 'bad-sample', id: record.id, file: record.videoPath, message: `${record.videoPath}: ${faultOf(record.videoPath, error)}` });
      result.skipped++;
    });
    return keep;
  }

  /** Teacher features, labels and video indices of the kept clips. */
  function batchLabels(chosen: ClipPlan[], keep: number[]): Pick<ClipBatch, 'teacher' | 'teacherDim' | 'labels' | 'videoIndex'> {
    const teacher = new Float32Array(keep.length * teacherDim);
    const labels = new Int32Array(keep.length);
    const videoIndex = new Int32Array(keep.length);
    keep.forEach((src, dst) => {
      const record = videos[chosen[src].video];
      teacher.set(dataset.teacher(record), dst * teacherDim);
      labels[dst] = record.label;
      videoIndex[dst] = chosen[src].video;
    });
    return { teacher, teacherDim, labels, videoIndex };
  }

  // `next` is the next batch to start decoding; `yielded` the next batch to hand out.
  let next = { epoch: options.position?.epoch ?? options.epoch ?? 0, batch: options.position?.batch ?? 0 };
  let yielded = { ...next };
  if (options.position && options.position.seed !== seed) {
    throw new DatasetError(`position: saved with seed ${options.position.seed}, loader seed is ${seed}`);
  }
  if (next.batch < 0 || next.batch > batchesPerEpoch) throw new DatasetError(`position.batch: expected 0..${batchesPerEpoch}, got ${next.batch}`);
  const queue: Pending[] = [];
  let closed = false;
  /** the batch handed out last: its device clips are disposed when the next one is asked for */
  let lent: ClipBatch | null = null;
  const giveBack = () => {
    lent?.deviceClips?.dispose();
    lent = null;
  };

  function fill() {
    while (!closed && queue.length < prefetch) {
      if (next.batch >= batchesPerEpoch) next = { epoch: next.epoch + 1, batch: 0 };
      const pending: Pending = { epoch: next.epoch, batch: next.batch, result: decodeBatch(next.epoch, next.batch) };
      pending.result.catch(() => undefined); // surfaced when the consumer reaches it
      queue.push(pending);
      next = { epoch: next.epoch, batch: next.batch + 1 };
    }
  }

  async function* epochBatches(): AsyncGenerator<ClipBatch> {
    try {
      yield* epochBatchesLent();
    } finally {
      giveBack();
    }
  }

  async function* epochBatchesLent(): AsyncGenerator<ClipBatch> {
    if (yielded.batch >= batchesPerEpoch) yielded = { epoch: yielded.epoch + 1, batch: 0 };
    const epoch = yielded.epoch;
    while (!closed && yielded.epoch === epoch && yielded.batch < batchesPerEpoch) {
      giveBack();
      fill();
      const head = queue.shift()!;
      const started = performance.now();
      const { batch, skipped, warnings: found } = await head.result;
      const waited = performance.now() - started;
      stats.waitMs += waited;
      stats.lastWaitMs = waited;
      stats.skippedClips += skipped;
      for (const w of found) {
        if (warned.has(w.id)) continue; // one warning per faulty video
        warned.add(w.id);
        warnings.push(w);
      }
      yielded = { epoch: head.epoch, batch: head.batch + 1 };
      fill();
      if (!batch) {
        // a rank's share stays in step with the other ranks' even when none of its clips decoded
        if (sampler) yield emptyBatch(T, S, teacherDim);
        continue;
      }
      stats.batches++;
      stats.clips += batch.shape[0];
      lent = batch;
      yield batch;
    }
  }

  return {
    batchesPerEpoch,
    videos,
    [Symbol.asyncIterator]: () => epochBatches(),
    position: () =>
      yielded.batch >= batchesPerEpoch
        ? { epoch: yielded.epoch + 1, batch: 0, seed, rngState: 'derived' }
        : { epoch: yielded.epoch, batch: yielded.batch, seed, rngState: 'derived' },
    stats: () => ({ ...stats }),
    takeWarnings: () => {
      const w = warnings;
      warnings = [];
      return w;
    },
    close: async () => {
      closed = true;
      // decodes handed to the addon run to the end on its threads: wait for them, so nothing reads
      // files (or libhdf5) when the caller, a worker thread or the process, ends
      const dropped = await Promise.allSettled(queue.splice(0).map((p) => p.result));
      for (const d of dropped) if (d.status === 'fulfilled') d.value.batch?.deviceClips?.dispose();
      giveBack();
      closeVideoFiles();
    },
  };
}
