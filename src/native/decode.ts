// Typed wrappers for the addon's decode capability (native/decode/): batch clip decode, video
// probing and writing, raw-video ingest. Every long call returns a promise and runs off the JS thread.
import { loadAddon } from './addon.js';

export interface DecodeClipsRequest {
  /** one .hdf5 per clip (B) */
  paths: string[];
  /** (B*T) frame indices */
  frames: Int32Array;
  /** (B*4) crop boxes in source pixels: x, y, width, height */
  boxes: Float32Array;
  /** (B) 1 = mirror left-right */
  flips: Uint8Array;
  /** output side S */
  size: number;
  /** (B*T*S*S*3) written in place */
  out: Float32Array;
  mean?: Float32Array;
  std?: Float32Array;
  device?: 'cpu' | 'cuda';
  /** decode the JPEGs only (benchmark baseline); `out` is left untouched */
  decodeOnly?: boolean;
}

export interface VideoProbe {
  frames: number;
  width: number;
  height: number;
  /** one line naming the file and the fault, or null */
  error: string | null;
}

export interface IngestResult {
  frames: number;
  width: number;
  height: number;
  sourceFps: number;
  /** seconds */
  duration: number;
  error: string | null;
}

export interface IngestOptions {
  fps: number;
  /** 0 keeps the source size */
  shortSide: number;
  /** JPEG quality 1..100 */
  quality: number;
}

/** Decodes B clips into `out`; resolves with one fault line (or null) per clip, whose slice is zeroed. */
export function decodeClips(request: DecodeClipsRequest): Promise<(string | null)[]> {
  return loadAddon().decodeClips(request);
}

/** Frame count and frame size of each .hdf5; `deep` decodes every frame to find corrupt ones. */
export function probeVideos(paths: string[], deep = false): Promise<VideoProbe[]> {
  return loadAddon().probeVideos(paths, deep);
}

/** The stored JPEG of one frame. */
export function readFrameBytes(path: string, index: number): Uint8Array {
  return loadAddon().readFrameBytes(path, index);
}

/** One frame decoded to RGB (H*W*3). */
export function decodeFrame(path: string, index: number): { width: number; height: number; pixels: Uint8Array } {
  return loadAddon().decodeFrame(path, index);
}

/** JPEG-encodes (N, H, W, 3) RGB frames and writes them as the seed's `video` dataset; resolves with the JPEG bytes. */
export function writeVideo(path: string, rgb: Uint8Array, shape: [number, number, number], quality = 90): Promise<number> {
  return loadAddon().writeVideo(path, rgb, shape, quality);
}

/** Writes the given bytes as the frames of a `video` dataset, unchecked (tools and tests). */
export function writeJpegVideo(path: string, jpegs: Uint8Array[]): Promise<number> {
  return loadAddon().writeJpegVideo(path, jpegs);
}

/** Decodes raw videos with libavformat/libavcodec and writes one .hdf5 per source. */
export function ingestVideos(sources: string[], destinations: string[], options: IngestOptions): Promise<IngestResult[]> {
  return loadAddon().ingestVideos(sources, destinations, options);
}

/**
 * A Float32Array over pooled native memory, for decodeClips' `out` (contents unspecified). Its memory
 * returns to the pool when the array is garbage-collected, so the next batch does not pay the page
 * faults of fresh memory.
 */
export function allocClipBuffer(elements: number): Float32Array {
  return loadAddon().allocClipBuffer(elements);
}

/** Threads that decode in parallel. */
export function decodeThreads(): number {
  return loadAddon().decodeThreads();
}

/** Closes the .hdf5 files the addon keeps open between reads (the last 64 used); later reads reopen them. */
export function closeVideoFiles(): void {
  loadAddon().closeVideoFiles();
}

/** How many .hdf5 files the addon keeps open. */
export function openVideoFiles(): number {
  return loadAddon().openVideoFiles();
}
