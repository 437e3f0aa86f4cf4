// mnf-tui bench decode [--json] [--dataset DIR] [--clips N] [--batch B] [--rounds R] [--python PATH] [--pillow-workers N]
// Train-transform clips/s (16×112×112, RandomResizedCrop + flip + normalise) through the addon with
// all its decode threads, against two baselines measured in the same run on the same clips:
//   decode-only: the addon reading + decoding the same JPEGs without the transform (target ≥ 0.8×)
//   Pillow:      the seed's per-clip pipeline in Pillow + numpy (scripts/bench-decode.py, target ≥ 3×)
// Data: --dataset, else a generated 320×240 synthetic set.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { intFlag, parseFlags } from '../commands/args.js';
import { packageRoot } from '../native/addon.js';
import { allocClipBuffer, decodeClips, decodeThreads, readFrameBytes } from '../native/decode.js';
import { openDataset } from '../data/dataset.js';
import { Rng } from '../rng.js';
import { trainClip, type ClipPlan } from '../data/sampler.js';
import { makeSynthetic } from '../data/synthetic.js';
import type { VideoRecord } from '../data/types.js';

const T = 16;
const S = 112;

interface Plan {
  records: VideoRecord[];
  clips: ClipPlan[];
}

function planClips(records: VideoRecord[], count: number): ClipPlan[] {
  const rng = new Rng(3);
  return Array.from({ length: count }, (_, k) => {
    const v = k % records.length;
    const r = records[v];
    return trainClip(v, r.frameCount, r.width ?? 0, r.height ?? 0, T, rng);
  });
}

/** Seconds to push every clip through the addon in batches of `batch`, `inFlight` batches at once. */
async function runAddon(plan: Plan, batch: number, decodeOnly: boolean): Promise<number> {
  const batches: ClipPlan[][] = [];
  for (let i = 0; i < plan.clips.length; i += batch) batches.push(plan.clips.slice(i, i + batch));
  const request = (clips: ClipPlan[]) => ({
    paths: clips.map((c) => plan.records[c.video].videoPath),
    frames: Int32Array.from(clips.flatMap((c) => c.frames)),
    boxes: Float32Array.from(clips.flatMap((c) => [c.box.x, c.box.y, c.box.width, c.box.height])),
    flips: Uint8Array.from(clips.map((c) => (c.flip ? 1 : 0))),
    size: S,
    out: allocClipBuffer(clips.length * T * S * S * 3), // one buffer per batch, as the loader hands them out
    decodeOnly,
  });
  await decodeClips(request(batches[0])); // warm-up
  const start = performance.now();
  // two batches in flight, as the loader's prefetch keeps them
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const errors = await decodeClips(request(batches[next++]));
      const bad = errors.find((e) => e !== null);
      if (bad) throw new Error(bad);
    }
  };
  await Promise.all([worker(), worker()]);
  return (performance.now() - start) / 1000;
}

function runPillow(plan: Plan, python: string, workers: number): { clips_per_s: number; pillow: string } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mnf-bench-decode-'));
  try {
    const file = join(dir, 'plan.json');
    writeFileSync(
      file,
      JSON.stringify({
        size: S,
        clips: plan.clips.map((c) => ({ path: plan.records[c.video].videoPath, frames: c.frames, box: [c.box.x, c.box.y, c.box.width, c.box.height], flip: c.flip })),
      }),
    );
    const script = join(packageRoot(), 'scripts', 'bench-decode.py');
    const r = spawnSync(python, [script, file, '--workers', String(workers)], { encoding: 'utf8' });
    if (r.status !== 0) return { error: `${python} ${script}: ${(r.stderr || r.error?.message || 'failed').trim().split('\n').pop()}` };
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    json: { type: 'boolean', default: false },
    dataset: { type: 'string' },
    clips: { type: 'string' },
    batch: { type: 'string' },
    python: { type: 'string' },
    'pillow-workers': { type: 'string' },
    rounds: { type: 'string' },
  });
  const rounds = intFlag(values.rounds, '--rounds', 1) ?? 3;
  const count = intFlag(values.clips, '--clips', 1) ?? 256;
  const batch = intFlag(values.batch, '--batch', 1) ?? 32;
  const python = values.python ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const threads = decodeThreads();
  const pillowWorkers = intFlag(values['pillow-workers'], '--pillow-workers', 1) ?? threads;
  const log = (line: string) => {
    if (!values.json) process.stderr.write(line + '\n');
  };

  // Default data: generated 320x240 frames (textured, about 14 KB per JPEG, like real 4 fps UCF
  // frames). The ucf51-mini fixture's frames (a flat rectangle, under 3 KB) decode unrealistically fast.
  let datasetDir = values.dataset;
  let generated: string | undefined;
  if (!datasetDir) {
    generated = mkdtempSync(join(tmpdir(), 'mnf-bench-data-'));
    log('bench decode: generating a 320x240 synthetic dataset');
    await makeSynthetic({ out: generated, classes: 3, videosPerClass: 4, frames: 32, size: 240, seed: 3 });
    datasetDir = generated;
  }
  try {
    const dataset = await openDataset(datasetDir);
    const records = [...dataset.videos('training'), ...dataset.videos('validation')];
    const plan: Plan = { records, clips: planClips(records, count) };
    const sample = plan.clips.slice(0, 8).flatMap((c) => c.frames.slice(0, 2).map((f) => readFrameBytes(records[c.video].videoPath, f).length));
    const meanJpegBytes = Math.round(sample.reduce((a, b) => a + b, 0) / sample.length);
    log(`bench decode: ${count} train clips ${T}x${S}x${S} from ${datasetDir}, ${threads} decode threads, batches of ${batch}`);

    // alternate the two addon runs and keep each one's best round (robust to other load on the machine)
    let fullS = Infinity;
    let decodeS = Infinity;
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        fullS = Math.min(fullS, await runAddon(plan, batch, false));
        decodeS = Math.min(decodeS, await runAddon(plan, batch, true));
      } else {
        decodeS = Math.min(decodeS, await runAddon(plan, batch, true));
        fullS = Math.min(fullS, await runAddon(plan, batch, false));
      }
    }
    const pillow = runPillow(plan, python, pillowWorkers);
    const clipsPerS = count / fullS;
    const decodeOnlyPerS = count / decodeS;
    const result = {
      bench: 'decode',
      clips_per_s: clipsPerS,
      decode_only_clips_per_s: decodeOnlyPerS,
      pillow_clips_per_s: 'error' in pillow ? null : pillow.clips_per_s,
      ratio_vs_decode_only: clipsPerS / decodeOnlyPerS,
      ratio_vs_pillow: 'error' in pillow ? null : clipsPerS / pillow.clips_per_s,
      targets: { ratio_vs_decode_only: 0.8, ratio_vs_pillow: 3 },
      conditions: {
        clips: count,
        rounds,
        clip: [T, S, S, 3],
        batch,
        decode_threads: threads,
        cores: cpus().length,
        pillow_processes: pillowWorkers,
        pillow_version: 'error' in pillow ? null : pillow.pillow,
        pillow_error: 'error' in pillow ? pillow.error : undefined,
        dataset: datasetDir,
        frame_size: records[0] ? [records[0].width, records[0].height] : null,
        mean_jpeg_bytes: meanJpegBytes,
      },
    };
    if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else {
      process.stdout.write(
        `train transform ${clipsPerS.toFixed(1)} clips/s; decode only ${decodeOnlyPerS.toFixed(1)} clips/s (ratio ${result.ratio_vs_decode_only.toFixed(2)}, target >= 0.8); ` +
          (result.ratio_vs_pillow === null
            ? `Pillow baseline failed: ${'error' in pillow ? pillow.error : ''}\n`
            : `Pillow+numpy (${pillowWorkers} processes) ${result.pillow_clips_per_s!.toFixed(1)} clips/s (ratio ${result.ratio_vs_pillow.toFixed(2)}, target >= 3)\n`),
      );
    }
    return 0;
  } finally {
    if (generated) rmSync(generated, { recursive: true, force: true });
  }
}
