// One frame of a video, for the retrieval figure: the middle frame's JPEG as the dataset stores
// it (seed layout: video_set_4fps/<id>.hdf5, one JPEG per frame), read through the addon and
// embedded as a data URI, so the figure and report.html need no other file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SEED_LAYOUT } from '../data/dataset.js';
import { probeVideos, readFrameBytes } from '../native/decode.js';

const isJpeg = (bytes: Uint8Array) => bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

/** A data URI of each video's middle frame, or the one line saying why there is none. */
export type Frame = { uri: string; width: number; height: number } | { missing: string };

export async function middleFrames(datasetDir: string, ids: string[]): Promise<Map<string, Frame>> {
  const unique = [...new Set(ids)];
  const paths = unique.map((id) => join(datasetDir, SEED_LAYOUT.videos, `${id}.hdf5`));
  const present = paths.filter((p) => existsSync(p));
  const probes = new Map((await probeVideos(present)).map((probe, i) => [present[i]!, probe]));
  const frames = new Map<string, Frame>();
  unique.forEach((id, i) => {
    const path = paths[i]!;
    const probe = probes.get(path);
    if (!probe) frames.set(id, { missing: `${path}: not found` });
    else if (probe.error || probe.frames === 0) frames.set(id, { missing: probe.error ?? `${path}: no frames` });
    else {
      const bytes = readFrameBytes(path, Math.floor(probe.frames / 2));
      const uri = `data:image/jpeg;base64,${Buffer.from(bytes).toString('base64')}`;
      frames.set(id, isJpeg(bytes) ? { uri, width: probe.width, height: probe.height } : { missing: `${path}: the frame is not a JPEG` });
    }
  });
  return frames;
}
