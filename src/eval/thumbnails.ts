// Thumbnails for the console's retrieval pane: the middle frame of each video, its centre square
// resized to a few pixels a side by the decoder's antialiased resize (the addon, off the JS thread).
// A video's frames never change during a run, so each video is decoded once.
import type { VideoRecord } from '../data/types.js';
import { decodeClips } from '../native/decode.js';
import type { EngineEvent, RetrievalQuery, Thumbnails } from '../train/events.js';

// the decoder writes (pixel / 255 - mean) / std: mean 0 and std 1 give pixel / 255
const MEAN = new Float32Array([0, 0, 0]);
const STD = new Float32Array([1, 1, 1]);

/** The videos a retrieval shows, each once: every query (validation) and each of its matches (training), in order. */
export function retrievalVideos(results: readonly RetrievalQuery[], queries: readonly VideoRecord[], gallery: readonly VideoRecord[]): VideoRecord[] {
  const byId = (records: readonly VideoRecord[]) => new Map(records.map((r) => [r.id, r]));
  const queryRecords = byId(queries);
  const galleryRecords = byId(gallery);
  const chosen = new Map<string, VideoRecord>();
  const add = (record: VideoRecord | undefined) => {
    if (record && !chosen.has(record.id)) chosen.set(record.id, record);
  };
  for (const query of results) {
    add(queryRecords.get(query.id));
    for (const hit of query.top) add(galleryRecords.get(hit.id));
  }
  return [...chosen.values()];
}

/** The centre square of a frame, in source pixels. */
function centreSquare(width: number, height: number): [number, number, number, number] {
  const side = Math.min(width, height);
  return [(width - side) / 2, (height - side) / 2, side, side];
}

const hasFrames = (r: VideoRecord): boolean => Boolean(r.width && r.height && r.frameCount > 0);

export class ThumbnailSource {
  /** by video file: base64 RGB, or null when its frame did not decode */
  private readonly decoded = new Map<string, string | null>();

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1 || size > 64) throw new RangeError(`thumbnail size: expected an integer in 1..64, got ${size}`);
  }

  /** Thumbnails of these videos; one whose frame does not decode (or whose size is unknown) is left out. */
  async of(records: readonly VideoRecord[]): Promise<Thumbnails> {
    const missing = records.filter((r) => !this.decoded.has(r.videoPath));
    const decodable = missing.filter(hasFrames);
    for (const r of missing) if (!hasFrames(r)) this.decoded.set(r.videoPath, null);
    if (decodable.length > 0) await this.decode(decodable);
    const rgb: Record<string, string> = {};
    for (const r of records) {
      const picture = this.decoded.get(r.videoPath);
      if (picture) rgb[r.id] = picture;
    }
    return { size: this.size, rgb };
  }

  private async decode(records: readonly VideoRecord[]): Promise<void> {
    const pixels = this.size * this.size * 3;
    const out = new Float32Array(records.length * pixels);
    const errors = await decodeClips({
      paths: records.map((r) => r.videoPath),
      frames: Int32Array.from(records, (r) => Math.floor((r.frameCount - 1) / 2)),
      boxes: Float32Array.from(records.flatMap((r) => centreSquare(r.width!, r.height!))),
      flips: new Uint8Array(records.length),
      size: this.size,
      out,
      mean: MEAN,
      std: STD,
    });
    records.forEach((r, i) => {
      if (errors[i] !== null) return this.decoded.set(r.videoPath, null);
      const bytes = Uint8Array.from(out.subarray(i * pixels, (i + 1) * pixels), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
      this.decoded.set(r.videoPath, Buffer.from(bytes).toString('base64'));
    });
  }
}

/** The event as events.jsonl stores it: the retrieval's thumbnails are for the console only. */
export function withoutThumbnails(event: EngineEvent): EngineEvent {
  if (event.type !== 'retrieval' || !event.thumbnails) return event;
  const { thumbnails: _, ...stored } = event;
  return stored;
}
