#!/usr/bin/env node
// The project's CUDA checks as one script that needs only Node, dist/ and the addon (no
// node_modules), for a GPU machine that has no Node: CUDA CSC vs its CPU twin (loss and both
// gradients, 1e-4 relative) and its whole-call time from JavaScript at B ∈ {32, 256, 1024, 4096},
// D = 512, against the fused CPU path in the same run; the CUDA clip transform vs the CPU path
// (1e-5) on a generated dataset. Prints one JSON document (also to --out FILE); exit 1 when a
// comparison fails or no GPU is usable.
//   node scripts/gpu-check.mjs [--out FILE] [--repeats 20] [--dry-run]
// --dry-run runs every step with the CPU path in place of CUDA (checks the script itself where
// there is no GPU; its figures mean nothing).
// On the device machine (carry .gpu, dist, build/Release):
//   xz -dc .gpu/node.xz > /tmp/node && chmod +x /tmp/node && /tmp/node scripts/gpu-check.mjs --out $OUT/gpu-check.json
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { out: { type: 'string' }, repeats: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
const repeats = Number(values.repeats ?? 20);
const dryRun = values['dry-run'] === true;
const GPU = dryRun ? 'cpu' : 'cuda';
const dist = new URL('../dist/src/', import.meta.url);
const { deviceInfo } = await import(new URL('native/device.js', dist));
const { cscLossGrad } = await import(new URL('native/csc.js', dist));
const { compareCscTwin, compareTransformTwin, CSC_TWIN_CASES, cscTwinInputs } = await import(new URL('native/twin-check.js', dist));
const { makeSynthetic } = await import(new URL('data/synthetic.js', dist));

const report = { dry_run: dryRun, device: deviceInfo(), csc: { agreement: [], timing: [] }, decode: null, failures: [] };
if (report.device.devices.length === 0 && !dryRun) {
  report.failures.push(`no CUDA device: ${report.device.cudaReason}`);
  finish();
}

for (const [batch, dim, classes, theta, calibrated] of CSC_TWIN_CASES) {
  const row = compareCscTwin(batch, dim, classes, theta, calibrated, GPU);
  report.csc.agreement.push(row);
  if (!(row.loss < 1e-4 && row.dv < 1e-4 && row.dz < 1e-4)) report.failures.push(`CSC B=${batch} D=${dim}: CUDA differs from the CPU twin`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const batch of [32, 256, 1024, 4096]) {
  const args = cscTwinInputs(batch, 512, 51, 0.07, true);
  const time = (device) => {
    for (let i = 0; i < 3; i++) cscLossGrad(args, device);
    const ms = [];
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      cscLossGrad(args, device);
      ms.push(performance.now() - start);
    }
    return median(ms);
  };
  const cudaMs = time(GPU);
  const cpuMs = batch <= 1024 ? time('cpu') : null;
  report.csc.timing.push({ batch, dim: 512, cuda_ms: cudaMs, cpu_fused_ms: cpuMs, cpu_over_cuda: cpuMs === null ? null : cpuMs / cudaMs });
}

const root = mkdtempSync(join(tmpdir(), 'mnf-gpu-check-'));
try {
  await makeSynthetic({ out: root, classes: 2, videosPerClass: 2, frames: 8, size: 240, seed: 3 });
  const videos = readdirSync(join(root, 'video_set_4fps')).slice(0, 2);
  const { errors, maxAbsDifference: worst } = await compareTransformTwin(videos.map((v) => join(root, 'video_set_4fps', v)), GPU);
  report.decode = { errors, max_abs_difference: worst };
  if (errors.length > 0 || !(worst <= 1e-5)) report.failures.push('CUDA clip transform differs from the CPU path');
} finally {
  rmSync(root, { recursive: true, force: true });
}
finish();

function finish() {
  const text = JSON.stringify(report, null, 2) + '\n';
  if (values.out) writeFileSync(values.out, text);
  process.stdout.write(text);
  process.exit(report.failures.length === 0 ? 0 : 1);
}
