// A checkpoint written by mnf-tui loads into the PyTorch reference modules with
// load_state_dict(strict=True) (scripts/reference/load_checkpoint.py) and gives the TS model's outputs.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/select.js';
import { encodeNpy } from '../src/data/npy.js';
import { Mnf } from '../src/models/mnf.js';
import { ParamStore } from '../src/models/params.js';
import { R2Plus1D } from '../src/models/student.js';
import { Rng } from '../src/rng.js';
import { adaptTeacher } from '../src/models/teacher.js';
import { tf } from '../src/tf.js';
import { writeCheckpoint } from '../src/train/checkpoint.js';
import { metaFor, randomBatch, smallConfig, tempDirs, trainedState } from './checkpoint-fixture.js';

const root = join(__dirname, '..');
const python = process.env.MNF_PYTHON ?? '/usr/bin/python3';
const probe = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
const torchProblem = probe.error
  ? `cannot run ${python} (${probe.error.message}); set MNF_PYTHON to a Python with torch and numpy`
  : probe.status !== 0
    ? `${python} has no torch or numpy (${probe.stderr.trim().split('\n').at(-1)})`
    : undefined;
if (torchProblem) console.log(`PyTorch checkpoint test skipped: ${torchProblem}`);

const temp = tempDirs();
afterAll(() => temp.cleanup());

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe.skipIf(torchProblem !== undefined)('a checkpoint in PyTorch', () => {
  beforeAll(() => initBackend('cpu'));

  it('loads into the reference R2Plus1D and MnfHead (strict) and gives the TS logits to 1e-4', async () => {
    // 2×2 tokens after the last stage, so that the attention's query and key weights matter
    const config = smallConfig('mnf-csc', 24);
    const state = await trainedState(config, 3);
    // sharper attention than a few steps from PyTorch's initialisation give (near-uniform weights
    // would hide a swapped query and key), as scripts/reference/model_fixtures.py does
    const rng = new Rng(11);
    for (const name of ['head/mnf.attn.q_proj_weight', 'head/mnf.attn.k_proj_weight', 'head/mnf.attn.in_proj_bias']) {
      state[name]!.data = state[name]!.data.map(() => 4 * rng.normal());
    }
    const dir = join(temp.make(), 'checkpoint-last');
    writeCheckpoint(dir, metaFor(config, 3), state);

    // the TS models with the state the trainer had, on a clip they were not trained on
    const batch = randomBatch(config, 999);
    const student = new R2Plus1D(config.model, 0);
    const store = new ParamStore(0);
    const mnf = new Mnf(store, { dim: config.model.featureDim, numClasses: config.model.numClasses });
    student.store.setState(state, 'student/');
    store.setState(state, 'head/');
    const [logits, pooled, mnfLogits, gate, attention] = tf.tidy(() => {
      const out = student.forward(tf.tensor5d(batch.clips, batch.shape), false);
      const teacher = adaptTeacher(tf.tensor2d(batch.teacher, [batch.shape[0], batch.teacherDim]), config.model.featureDim);
      const m = mnf.apply(out.featureMap, teacher, false);
      return [out.logits, out.pooled, m.logits, m.gate, m.attention].map((t) => t.dataSync() as Float32Array);
    });
    student.dispose();
    store.dispose();

    const clips = join(dir, '..', 'clips.npy');
    const teacher = join(dir, '..', 'teacher.npy');
    writeFileSync(clips, encodeNpy(batch.clips, batch.shape));
    writeFileSync(teacher, encodeNpy(batch.teacher, [batch.shape[0], batch.teacherDim]));
    const script = join(root, 'scripts', 'reference', 'load_checkpoint.py');
    const r = spawnSync(python, [script, dir, '--clips', clips, '--teacher', teacher], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const torch = JSON.parse(r.stdout) as Record<'logits' | 'pooled' | 'mnfLogits' | 'gate' | 'attention', number[][]> & { reader: string };
    console.log(`load_checkpoint.py read the safetensors file with ${torch.reader}`);
    expect(torch.logits).toHaveLength(config.batch);
    expect(maxAbsDifference(logits!, torch.logits.flat())).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDifference(pooled!, torch.pooled.flat())).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDifference(mnfLogits!, torch.mnfLogits.flat())).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDifference(gate!, torch.gate.flat())).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDifference(attention!, torch.attention.flat())).toBeLessThanOrEqual(1e-4);
    expect(torch.attention[0]).toHaveLength(4);
    expect(Math.max(...attention!) - Math.min(...attention!), 'attention far from uniform').toBeGreaterThan(0.1);
    // the logits differ between clips: the comparison is not of constants
    expect(maxAbsDifference(logits!.subarray(0, 3), logits!.subarray(3, 6))).toBeGreaterThan(1e-4);
  }, 120_000);
});
