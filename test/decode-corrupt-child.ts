// Decodes each .hdf5 named on the command line the ways the data path does (a deep probe, a batch
// of two 4-frame clips over frames 0..7) and prints one JSON line per file: the faults reported,
// null where a step succeeded. Run as a child process by decode-corrupt-hdf5.test.ts, so that a
// crash fails that test instead of killing vitest. Only the decode threads call libhdf5, as in
// training: libhdf5 prints its exit-time complaints only where the main thread never called it.
import { closeVideoFiles, decodeClips, probeVideos } from '../src/native/decode.js';

const CLIP_FRAMES = [0, 1, 2, 3, 4, 5, 6, 7];
const SIZE = 8;

async function faultsOf(file: string): Promise<(string | null)[]> {
  const [probe] = await probeVideos([file], true);
  const out = new Float32Array(2 * 4 * SIZE * SIZE * 3);
  // an 8x8 crop at the origin fits every frame the synthetic videos have
  const clips = await decodeClips({
    paths: [file, file],
    frames: Int32Array.from(CLIP_FRAMES),
    boxes: Float32Array.from([0, 0, 8, 8, 0, 0, 8, 8]),
    flips: Uint8Array.from([0, 1]),
    size: SIZE,
    out,
  });
  return [probe!.error, ...clips];
}

for (const file of process.argv.slice(2)) {
  console.log(JSON.stringify({ file, faults: await faultsOf(file) }));
}
closeVideoFiles();
