// Which frames and which crop each clip uses, per mode (the seed's transforms):
//   train: 16 consecutive frames from a random start (looping when the video is shorter),
//          RandomResizedCrop (scale (0.25, 1), ratio (3/4, 4/3), torchvision's get_params), h-flip p=0.5
//   val:   3 evenly spaced clips per video, centre crop
//   test:  non-overlapping windows covering the video, centre crop
import { Rng } from '../rng.js';

export type ClipMode = 'train' | 'val' | 'test';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ClipPlan {
  /** index into the subset's video list */
  video: number;
  frames: number[];
  box: Box;
  flip: boolean;
}

export const RESIZED_CROP_SCALE: [number, number] = [0.25, 1];
export const RESIZED_CROP_RATIO: [number, number] = [3 / 4, 4 / 3];

/** `length` consecutive frames from `start`, wrapping to 0 past the end. */
export function loopedFrames(start: number, length: number, frameCount: number): number[] {
  return Array.from({ length }, (_, i) => (start + i) % frameCount);
}

/** torchvision RandomResizedCrop.get_params: integer box of area share in `scale`, log-uniform aspect ratio. */
export function randomResizedCrop(width: number, height: number, rng: Rng, scale = RESIZED_CROP_SCALE, ratio = RESIZED_CROP_RATIO): Box {
  const area = width * height;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      return { x: rng.int(0, width - w), y: rng.int(0, height - h), width: w, height: h };
    }
  }
  // fallback: the whole image cropped to the nearest allowed ratio, centred
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/** The centred square of side min(width, height): resize-short-side-then-centre-crop as one box. */
export function centreCrop(width: number, height: number): Box {
  const side = Math.min(width, height);
  return { x: Math.round((width - side) / 2), y: Math.round((height - side) / 2), width: side, height: side };
}

/** An epoch's training order: a seeded permutation of the videos (the loader's train mode, and the
 *  distributed sampler's, which splits it between ranks). */
export function trainOrder(seed: number, epoch: number, videos: number): number[] {
  return Rng.from(seed, epoch, 0x5eed).permutation(videos);
}

export function trainClip(video: number, frameCount: number, width: number, height: number, length: number, rng: Rng): ClipPlan {
  const start = frameCount > length ? rng.int(0, frameCount - length) : 0;
  const box = randomResizedCrop(width, height, rng);
  const flip = rng.next() < 0.5;
  return { video, frames: loopedFrames(start, length, frameCount), box, flip };
}

/** `count` clips whose starts are evenly spaced over the video (all at 0 when it is shorter than a clip). */
export function evenlySpacedClips(video: number, frameCount: number, width: number, height: number, length: number, count = 3): ClipPlan[] {
  const last = Math.max(frameCount - length, 0);
  const box = centreCrop(width, height);
  return Array.from({ length: count }, (_, k) => {
    const start = count === 1 ? Math.floor(last / 2) : Math.round((k * last) / (count - 1));
    return { video, frames: loopedFrames(start, length, frameCount), box, flip: false };
  });
}

/** Non-overlapping windows [kT, (k+1)T); one looped window when the video is shorter than a clip. */
export function windowClips(video: number, frameCount: number, width: number, height: number, length: number): ClipPlan[] {
  const windows = Math.max(Math.floor(frameCount / length), 1);
  const box = centreCrop(width, height);
  return Array.from({ length: windows }, (_, k) => ({ video, frames: loopedFrames(k * length, length, frameCount), box, flip: false }));
}
