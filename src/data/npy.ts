// NumPy .npy files (format versions 1.0–3.0): header parsed and checked (magic, version, dtype,
// fortran_order, shape), data read as little-endian float32. https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
import { readFileSync } from 'node:fs';

export class NpyError extends Error {
  override name = 'NpyError';
}

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** Parses the header dict, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (512,), } */
function parseHeader(text: string, file: string): NpyHeader {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new NpyError(`${file}: not a valid .npy header (${text.trim().slice(0, 80)})`);
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(`${file}: bad shape (${shape[1]}) in .npy header`);
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims };
}

/** Decodes a float32 .npy held in memory. `file` names it in errors. */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError(`${file}: not a .npy file (bad magic)`);
  const major = bytes[6];
  if (major < 1 || major > 3) throw new NpyError(`${file}: unsupported .npy version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new NpyError(`${file}: truncated .npy header`);
  const header = parseHeader(new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart)), file);
  if (header.descr !== '<f4' && header.descr !== '=f4') {
    throw new NpyError(`${file}: dtype '${header.descr}', expected float32 ('<f4')`);
  }
  const count = header.shape.reduce((a, b) => a * b, 1);
  if (header.fortranOrder && header.shape.filter((d) => d > 1).length > 1) {
    throw new NpyError(`${file}: fortran_order arrays of rank > 1 are not supported`);
  }
  if (bytes.length - dataStart !== count * 4) {
    throw new NpyError(`${file}: holds ${bytes.length - dataStart} data bytes, shape (${header.shape.join(', ')}) needs ${count * 4}`);
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + i * 4, true);
  return { shape: header.shape, data };
}

export function readNpy(path: string): NpyArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new NpyError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseNpy(bytes, path);
}

/** A version 1.0 .npy of a C-order float32 array. */
export function encodeNpy(data: Float32Array, shape: number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const start = 10 + header.length;
  for (let i = 0; i < data.length; i++) view.setFloat32(start + i * 4, data[i], true);
  return out;
}
