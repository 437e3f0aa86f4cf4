// The addon keeps the last 64 .hdf5 videos open between reads: a file changed on disk must still
// read as it is now, and closeVideoFiles() must close them all.
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { closeVideoFiles, openVideoFiles, readFrameBytes, writeJpegVideo } from '../src/native/decode.js';
import { removeTempDirs, tempDir } from './data-helpers.js';

afterAll(() => {
  closeVideoFiles();
  removeTempDirs();
});
beforeEach(() => closeVideoFiles());

const frames = (tag: number, count: number) => Array.from({ length: count }, (_, i) => Uint8Array.from([tag, i, tag ^ i, 7]));

describe('open video files kept between reads', () => {
  it('reads the new contents after the file is rewritten at the same path', async () => {
    const path = join(tempDir(), 'v.hdf5');
    await writeJpegVideo(path, frames(1, 3));
    expect([...readFrameBytes(path, 2)]).toEqual([1, 2, 3, 7]);
    expect(openVideoFiles()).toBe(1);
    await writeJpegVideo(path, frames(9, 5));
    expect([...readFrameBytes(path, 4)]).toEqual([9, 4, 13, 7]);
    expect(() => readFrameBytes(path, 5)).toThrow(/frame 5 out of range \(5 frames\)/);
  });

  it('reads the new file after another one is renamed over the path, and fails once it is deleted', async () => {
    const dir = tempDir();
    const path = join(dir, 'v.hdf5');
    const other = join(dir, 'w.hdf5');
    await writeJpegVideo(path, frames(1, 3));
    await writeJpegVideo(other, frames(5, 3));
    expect([...readFrameBytes(path, 0)]).toEqual([1, 0, 1, 7]);
    renameSync(other, path);
    expect([...readFrameBytes(path, 0)]).toEqual([5, 0, 5, 7]);
    rmSync(path);
    expect(() => readFrameBytes(path, 0)).toThrow(/v\.hdf5: file not found/);
  });

  it('keeps at most 64 open, least recently used closed first; closeVideoFiles closes all', async () => {
    const dir = tempDir();
    const paths = Array.from({ length: 70 }, (_, i) => join(dir, `v${i}.hdf5`));
    for (const [i, p] of paths.entries()) await writeJpegVideo(p, frames(i, 2));
    expect(openVideoFiles()).toBe(0); // writing does not keep files open
    for (const p of paths.slice(0, 3)) readFrameBytes(p, 0);
    expect(openVideoFiles()).toBe(3);
    for (const [i, p] of paths.entries()) expect([...readFrameBytes(p, 1)]).toEqual([i, 1, i ^ 1, 7]);
    expect(openVideoFiles()).toBe(64);
    closeVideoFiles();
    expect(openVideoFiles()).toBe(0);
    expect([...readFrameBytes(paths[0], 1)]).toEqual([0, 1, 1, 7]);
    expect(openVideoFiles()).toBe(1);
  });
});
