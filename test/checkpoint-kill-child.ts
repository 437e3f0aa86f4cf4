// Child process of checkpoint-atomic.test.ts: saves checkpoint v1, then starts saving v2 and
// blocks after its first chunk so the parent can kill it mid-write.
import { writeCheckpoint, type CheckpointMeta } from '../src/train/checkpoint.js';

const dir = process.argv[2];
const meta = (step: number): CheckpointMeta => ({
  config: { preset: 'test' } as never,
  method: 'mnf-csc',
  epoch: step,
  step,
  schedule: { lrStudent: 3e-4, lrHead: 6e-5, milestones: [], gamma: 0.1 },
  batch: 0,
  best: null,
  top1: null,
});

writeCheckpoint(dir, meta(1), { 'student/stem.bn.weight': { shape: [8], data: new Float32Array(8).fill(3) }, w: { shape: [4, 8], data: new Float32Array(32).fill(1) } });
process.stdout.write('saved v1\n');
const big = new Float32Array(4 << 20).fill(2);
writeCheckpoint(dir, meta(2), { 'student/stem.bn.weight': { shape: [4 << 20], data: big }, w: { shape: [4 << 20], data: big } }, {
  chunkBytes: 1 << 20,
  afterChunk: () => {
    process.stdout.write('writing\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
  },
});
process.stdout.write('saved v2\n');
