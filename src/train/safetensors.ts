// The safetensors format (https://huggingface.co/docs/safetensors/index, "Format"), the subset of
// dtypes the checkpoints use (F32, I64). Layout of a file:
//   8 bytes   N, unsigned 64-bit little-endian: the header's length in bytes
//   N bytes   UTF-8 JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}},
//             padded with spaces (0x20) so that the data starts at a multiple of 8
//   the rest  every tensor's row-major little-endian bytes; data_offsets count from the data's start,
//             the tensors are contiguous and cover it without holes or overlaps
// Like the reference writer, tensors are stored by dtype size (largest first), then by name, so that
// each one starts at a multiple of its element size.
import { endianness } from 'node:os';

export type SafetensorsDtype = 'F32' | 'I64';

export interface SafetensorsTensor {
  shape: number[];
  /** F32 as a Float32Array, I64 as a BigInt64Array */
  data: Float32Array | BigInt64Array;
}

export interface SafetensorsContents {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

const METADATA = '__metadata__';
/** the reference implementation refuses larger headers */
const MAX_HEADER_BYTES = 100_000_000;
const ELEMENT_BYTES: Record<SafetensorsDtype, number> = { I64: 8, F32: 4 };

if (endianness() !== 'LE') throw new Error('safetensors: this reader/writer needs a little-endian machine');

function dtypeOf(t: SafetensorsTensor): SafetensorsDtype {
  return t.data instanceof BigInt64Array ? 'I64' : 'F32';
}

const elements = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * The bytes of a safetensors file as a list of chunks to write in order: the length and the
 * header, then each tensor's data (views of the given arrays, not copies).
 */
export function encodeSafetensors(tensors: Record<string, SafetensorsTensor>, metadata: Record<string, string> = {}): Uint8Array[] {
  const names = Object.keys(tensors).sort((a, b) => {
    const size = ELEMENT_BYTES[dtypeOf(tensors[b]!)] - ELEMENT_BYTES[dtypeOf(tensors[a]!)];
    return size !== 0 ? size : a < b ? -1 : a > b ? 1 : 0;
  });
  if (names.includes(METADATA)) throw new SafetensorsError(`safetensors: '${METADATA}' cannot be a tensor name`);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA] = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors[name]!;
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new SafetensorsError(`safetensors tensor '${name}': invalid shape [${shape}]`);
    if (data.length !== elements(shape)) throw new SafetensorsError(`safetensors tensor '${name}': ${data.length} values for shape [${shape}]`);
    header[name] = { dtype: dtypeOf(tensors[name]!), shape, data_offsets: [offset, offset + data.byteLength] };
    chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    offset += data.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const head = Buffer.alloc(8 + padded, 0x20);
  head.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(head, 8);
  return [head, ...chunks];
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

function isIntegerArray(value: unknown, length?: number): value is number[] {
  return Array.isArray(value) && (length === undefined || value.length === length) && value.every((v) => Number.isSafeInteger(v) && v >= 0);
}

/** Parses a whole safetensors file; the tensors are copies (aligned, independent of `bytes`). */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.length < 8) throw new SafetensorsError(`not a safetensors file: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getBigUint64(0, true);
  if (headerBytes > BigInt(bytes.length - 8)) {
    throw new SafetensorsError(`not a safetensors file: header length ${headerBytes} exceeds the file's ${bytes.length - 8} bytes after it`);
  }
  if (headerBytes > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(`safetensors header of ${headerBytes} bytes, more than the format's limit of ${MAX_HEADER_BYTES}`);
  const dataStart = 8 + Number(headerBytes);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (err) {
    throw new SafetensorsError(`safetensors header is not valid UTF-8 JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SafetensorsError('safetensors header is not a JSON object');
  const dataBytes = bytes.length - dataStart;
  const { [METADATA]: metadata = {}, ...entries } = header as Record<string, unknown>;
  if (!isStringMap(metadata)) throw new SafetensorsError(`safetensors header: '${METADATA}' must map strings to strings`);
  const spans: { name: string; begin: number; end: number; dtype: SafetensorsDtype; shape: number[] }[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (dtype !== 'F32' && dtype !== 'I64') throw new SafetensorsError(`safetensors tensor '${name}': dtype ${JSON.stringify(dtype)}, expected F32 or I64`);
    if (!isIntegerArray(shape)) throw new SafetensorsError(`safetensors tensor '${name}': shape ${JSON.stringify(shape)} is not a list of sizes`);
    if (!isIntegerArray(offsets, 2) || offsets[0]! > offsets[1]!) {
      throw new SafetensorsError(`safetensors tensor '${name}': data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    if (end - begin !== elements(shape) * ELEMENT_BYTES[dtype]) {
      throw new SafetensorsError(`safetensors tensor '${name}': ${end - begin} bytes for ${dtype} shape [${shape}]`);
    }
    spans.push({ name, begin, end, dtype, shape });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const span of spans) {
    if (span.begin !== covered) {
      throw new SafetensorsError(`safetensors tensor '${span.name}': data starts at ${span.begin}, expected ${covered} (tensors must be contiguous)`);
    }
    covered = span.end;
  }
  if (covered !== dataBytes) throw new SafetensorsError(`safetensors data: the tensors cover ${covered} bytes, the file has ${dataBytes} (truncated or padded)`);
  const tensors = Object.fromEntries(
    spans.map(({ name, begin, end, dtype, shape }): [string, SafetensorsTensor] => {
      const copy = new Uint8Array(end - begin);
      copy.set(bytes.subarray(dataStart + begin, dataStart + end));
      return [name, { shape, data: dtype === 'F32' ? new Float32Array(copy.buffer) : new BigInt64Array(copy.buffer) }];
    }),
  );
  return { tensors, metadata: Object.fromEntries(Object.entries(metadata)) };
}
