import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/select.js';
import type { MethodName } from '../src/config/types.js';
import { readCheckpoint, writeCheckpoint } from '../src/train/checkpoint.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from '../src/train/safetensors.js';
import { fromTorchState, toTorchState } from '../src/train/torch-state.js';
import { createTrainer } from '../src/train/trainer.js';
import type { TensorState } from '../src/train/types.js';
import { metaFor, sameBits, smallConfig, tempDirs, trainedState } from './checkpoint-fixture.js';
import { readFixture } from './models-fixture.js';

const temp = tempDirs();
const states = new Map<MethodName, TensorState>();
const METHODS: MethodName[] = ['mnf-csc', 'csc', 'ce'];

beforeAll(async () => {
  await initBackend('cpu');
  for (const method of METHODS) states.set(method, await trainedState(smallConfig(method)));
}, 120_000);
afterAll(() => temp.cleanup());

/** The safetensors layout read straight from the bytes, as the format's documentation states it. */
interface ParsedFile {
  headerLength: number;
  header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  metadata: Record<string, string>;
  data: Buffer;
}

function parseByHand(bytes: Buffer): ParsedFile {
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const text = bytes.subarray(8, 8 + headerLength).toString('utf8');
  expect(text.startsWith('{')).toBe(true);
  const json = text.replace(/ +$/, '');
  expect(text.slice(json.length)).toMatch(/^ *$/);
  const { __metadata__: metadata, ...header } = JSON.parse(json);
  return { headerLength, header, metadata, data: bytes.subarray(8 + headerLength) };
}

function writtenFiles(method: MethodName, step = 2): { dir: string; model: Buffer; training: Buffer } {
  const dir = join(temp.make(), 'checkpoint-last');
  writeCheckpoint(dir, metaFor(smallConfig(method), step), states.get(method)!);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  return { dir, model: readFileSync(join(dir, manifest.files.model.file)), training: readFileSync(join(dir, manifest.files.training.file)) };
}

const SIZE: Record<string, number> = { F32: 4, I64: 8 };

describe('the safetensors files of a checkpoint', () => {
  it('follow the format: u64 LE header length, JSON header padded with spaces to 8 bytes, contiguous little-endian data', () => {
    const { model, training } = writtenFiles('mnf-csc');
    for (const bytes of [model, training]) {
      const { headerLength, header, metadata, data } = parseByHand(bytes);
      expect((8 + headerLength) % 8).toBe(0);
      expect(Object.values(metadata).every((v) => typeof v === 'string')).toBe(true);
      const spans = Object.entries(header).map(([name, e]) => {
        expect(['F32', 'I64'], name).toContain(e.dtype);
        const [begin, end] = e.data_offsets;
        expect(end - begin, name).toBe(e.shape.reduce((a, b) => a * b, 1) * SIZE[e.dtype]!);
        expect(begin % SIZE[e.dtype]!, `${name} starts aligned`).toBe(0);
        return [begin, end];
      });
      spans.sort((a, b) => a[0]! - b[0]!);
      let at = 0;
      for (const [begin, end] of spans) {
        expect(begin).toBe(at);
        at = end!;
      }
      expect(at).toBe(data.length);
    }
    expect(parseByHand(model).metadata).toMatchObject({ format: 'pt', producer: 'mnf-tui', method: 'mnf-csc', step: '2' });
  });

  it('hold the model under the PyTorch state_dict names of {student: R2Plus1D, head: MnfHead}, the optimisers in the other file', () => {
    const { model, training } = writtenFiles('mnf-csc');
    // TS names of the reference fixtures (torch_models.to_ts of the PyTorch state_dicts)
    const torchNames = (tsNames: string[], module: string) => {
      const names = new Set<string>();
      for (const n of tsNames) {
        names.add(`${module}.${n.replace(/[qkv]_proj_weight$/, 'in_proj_weight')}`);
        if (n.endsWith('.running_mean')) names.add(`${module}.${n.replace(/running_mean$/, 'num_batches_tracked')}`);
      }
      return [...names];
    };
    const student = Object.keys(readFixture<{ weights: object }>('model_student.json').weights);
    const head = Object.keys(readFixture<{ weights: object }>('model_mnf.json').weights);
    expect(Object.keys(parseByHand(model).header).sort()).toEqual([...torchNames(student, 'student'), ...torchNames(head, 'head')].sort());
    const trainingNames = Object.keys(parseByHand(training).header);
    expect(trainingNames.length).toBeGreaterThan(0);
    expect(trainingNames.every((n) => n.startsWith('optim.student/') || n.startsWith('optim.head/'))).toBe(true);
  });

  it('hold PyTorch layouts: Conv3d (out, in, kD, kH, kW), Linear (out, in), in_proj_weight rows q; k; v, num_batches_tracked = steps', () => {
    const state = states.get('mnf-csc')!;
    const { model } = writtenFiles('mnf-csc', 7);
    const { header, data } = parseByHand(model);
    const f32 = (name: string) => {
      const [begin, end] = header[name]!.data_offsets;
      const copy = Buffer.from(data.subarray(begin, end));
      return new Float32Array(copy.buffer, copy.byteOffset, copy.length / 4);
    };
    // conv: TS (kD, kH, kW, in, out) → (out, in, kD, kH, kW)
    const conv = state['student/stem.spatial.weight']!;
    const [kd, kh, kw, cin, cout] = conv.shape as [number, number, number, number, number];
    expect(header['student.stem.spatial.weight']!.shape).toEqual([cout, cin, kd, kh, kw]);
    const torchConv = f32('student.stem.spatial.weight');
    for (const [o, i, h, w] of [[0, 0, 0, 0], [cout - 1, 2, 3, 6], [5, 1, 6, 2]] as const) {
      expect(torchConv[(((o * cin + i) * kd + 0) * kh + h) * kw + w]).toBe(conv.data[(((0 * kh + h) * kw + w) * cin + i) * cout + o]);
    }
    // linear: TS (in, out) → (out, in)
    const fc = state['student/fc.weight']!;
    const [fin, fout] = fc.shape as [number, number];
    expect(header['student.fc.weight']!.shape).toEqual([fout, fin]);
    const torchFc = f32('student.fc.weight');
    for (let o = 0; o < fout; o++) for (let i = 0; i < fin; i++) expect(torchFc[o * fin + i]).toBe(fc.data[i * fout + o]);
    // attention: in_proj_weight (3D, D), block j = transpose of the TS q/k/v weight
    const d = state['head/mnf.attn.q_proj_weight']!.shape[0]!;
    expect(header['head.mnf.attn.in_proj_weight']!.shape).toEqual([3 * d, d]);
    const inProj = f32('head.mnf.attn.in_proj_weight');
    ['q', 'k', 'v'].forEach((p, j) => {
      const ts = state[`head/mnf.attn.${p}_proj_weight`]!.data;
      for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) expect(inProj[(j * d + r) * d + c]).toBe(ts[c * d + r]);
    });
    const tracked = header['student.stem.bn.num_batches_tracked']!;
    expect(tracked).toMatchObject({ dtype: 'I64', shape: [] });
    expect(data.readBigInt64LE(tracked.data_offsets[0])).toBe(7n);
  });
});

describe('checkpoint round trip', () => {
  it.each(METHODS)('gives back the trainer state of %s bit for bit, and a trainer loads it back to the same state', (method) => {
    const state = states.get(method)!;
    const { dir } = writtenFiles(method);
    const read = readCheckpoint(dir).state;
    expect(sameBits(state, read)).toEqual([]);
    const trainer = createTrainer(smallConfig(method));
    try {
      trainer.setState(read);
      expect(sameBits(state, trainer.getState())).toEqual([]);
    } finally {
      trainer.dispose();
    }
  });

  it('keeps every bit of unusual values in every mapped layout (NaN payloads, −0, subnormals, ±Inf)', () => {
    const special = Uint32Array.of(0x7fa00001, 0xffc12345, 0x80000000, 0x00000001, 0x7f800000, 0xff800000, 0x3f800000);
    const values = (n: number) => {
      const words = Uint32Array.from({ length: n }, (_, i) => special[i % special.length]! ^ (i << 8 & 0x7f00));
      return new Float32Array(words.buffer);
    };
    const state: TensorState = {
      'student/stem.spatial.weight': { shape: [1, 7, 7, 3, 5], data: values(735) },
      'student/fc.weight': { shape: [6, 4], data: values(24) },
      'student/stem.bn.running_mean': { shape: [3], data: values(3) },
      'head/mnf.attn.q_proj_weight': { shape: [4, 4], data: values(16) },
      'head/mnf.attn.k_proj_weight': { shape: [4, 4], data: values(16).reverse() },
      'head/mnf.attn.v_proj_weight': { shape: [4, 4], data: values(16).map((_, i, a) => a[(i + 5) % 16]!) },
      'head/conv2d.weight': { shape: [3, 3, 2, 4], data: values(72) },
      'head/odd.rank3': { shape: [2, 3, 4], data: values(24) },
      'optim.head/step': { shape: [], data: Float32Array.of(3) },
    };
    const { model, other } = toTorchState(state, 3);
    expect(Object.keys(other).sort()).toEqual(['head/odd.rank3', 'optim.head/step']);
    expect(model['head.conv2d.weight']!.shape).toEqual([4, 2, 3, 3]);
    expect(sameBits(fromTorchState(model, other), state)).toEqual([]);
    const dir = join(temp.make(), 'ck');
    writeCheckpoint(dir, metaFor(smallConfig(), 3), state);
    expect(sameBits(readCheckpoint(dir).state, state)).toEqual([]);
  });
});

describe('the safetensors reader', () => {
  const file = (header: object, data: number[]) => {
    const json = Buffer.from(JSON.stringify(header));
    const out = Buffer.alloc(8 + json.length + data.length);
    out.writeBigUInt64LE(BigInt(json.length));
    json.copy(out, 8);
    Buffer.from(data).copy(out, 8 + json.length);
    return new Uint8Array(out);
  };

  it('reads a file another writer made (header not padded, data unaligned)', () => {
    const bytes = file({ b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] }, a: { dtype: 'I64', shape: [], data_offsets: [0, 8] } }, [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3f]);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({});
    expect(tensors.a).toEqual({ shape: [], data: BigInt64Array.of(5n) });
    expect(tensors.b).toEqual({ shape: [1], data: Float32Array.of(1) });
  });

  it('round-trips what it writes', () => {
    const chunks = encodeSafetensors({ x: { shape: [2, 1], data: Float32Array.of(1, 2) }, n: { shape: [], data: BigInt64Array.of(-3n) } }, { k: 'v' });
    const decoded = decodeSafetensors(Buffer.concat(chunks));
    expect(decoded).toEqual({ tensors: { x: { shape: [2, 1], data: Float32Array.of(1, 2) }, n: { shape: [], data: BigInt64Array.of(-3n) } }, metadata: { k: 'v' } });
  });

  it.each([
    ['a hole between tensors', file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, [0, 0, 0, 0, 0, 0, 0, 0]), /data starts at 4, expected 0/],
    ['overlapping tensors', file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } }, [0, 0, 0, 0, 0, 0]), /'b': data starts at 2, expected 4/],
    ['missing data', file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, [0, 0, 0, 0]), /cover 8 bytes, the file has 4/],
    ['a size that does not fit the shape', file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Array(8).fill(0)), /'a': 8 bytes for F32 shape \[3\]/],
    ['an unsupported dtype', file({ a: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, [0, 0]), /'a': dtype "F16", expected F32 or I64/],
    ['a header longer than the file', Uint8Array.of(200, 0, 0, 0, 0, 0, 0, 0, 0x7b), /header length 200 exceeds/],
    ['non-string metadata', file({ __metadata__: { n: 1 } }, []), /'__metadata__' must map strings to strings/],
  ])('rejects %s', (_what, bytes, message) => {
    expect(() => decodeSafetensors(bytes)).toThrow(SafetensorsError);
    expect(() => decodeSafetensors(bytes)).toThrow(message);
  });
});
