// The trainer's TensorState ↔ a PyTorch state_dict of the reference modules
// (scripts/reference/torch_models.py). The student's weights 'student/<name>' and the method head's
// 'head/<name>' become the state_dict of nn.ModuleDict({"student": R2Plus1D, "head": <head>}), keys
// 'student.<name>' and 'head.<name>': the ParamStore names are the reference modules' attribute
// paths. What differs is the layout, and two tensors exist on one side only:
//   tfjs conv3d filter (kD, kH, kW, in, out)   ↔ nn.Conv3d.weight (out, in, kD, kH, kW)
//   tfjs conv2d filter (kH, kW, in, out)       ↔ nn.Conv2d.weight (out, in, kH, kW)
//   any other 2-D weight, a Linear's (in, out) ↔ (out, in)   (the rule of torch_models.to_ts)
//   attention q_proj_weight, k_proj_weight, v_proj_weight (D, D) each, (in, out)
//                                              ↔ nn.MultiheadAttention.in_proj_weight (3D, D): q; k; v rows
//   <bn>.running_mean                          → also <bn>.num_batches_tracked, int64 scalar (PyTorch only)
// Tensors of other ranks, the optimisers' state and anything outside the two modules have no
// PyTorch counterpart here: they stay in TS names and layouts. Permutations move 32-bit words, so a
// round trip gives back the same bits (NaN payloads included).
import type { SafetensorsTensor } from './safetensors.js';
import type { TensorState } from './types.js';

const MODULES = ['student', 'head'] as const;
const QKV = ['q', 'k', 'v'] as const;
const IN_PROJ = 'in_proj_weight';
const BATCHES_TRACKED = 'num_batches_tracked';

/** TS axis order → PyTorch axis order, by rank: torch[i] = ts[perm[i]] */
const TO_TORCH: Record<number, number[]> = { 2: [1, 0], 4: [3, 2, 0, 1], 5: [4, 3, 0, 1, 2] };
const TO_TS: Record<number, number[]> = { 2: [1, 0], 4: [2, 3, 1, 0], 5: [2, 3, 4, 1, 0] };

export interface TorchSplit {
  /** PyTorch names and layouts (float32, and int64 num_batches_tracked) */
  model: Record<string, SafetensorsTensor>;
  /** everything without a PyTorch counterpart, in TS names and layouts */
  other: TensorState;
}

const words = (data: Float32Array) => new Uint32Array(data.buffer, data.byteOffset, data.length);

/** out = data with its axes reordered: out.shape[i] = shape[perm[i]] */
function permute(data: Float32Array, shape: number[], perm: number[]): { shape: number[]; data: Float32Array } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const step = perm.map((p) => strides[p]!);
  const src = words(data);
  const out = new Uint32Array(src.length);
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = src[from]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      from += step[axis]!;
      if (++index[axis]! < outShape[axis]!) break;
      from -= step[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return { shape: outShape, data: new Float32Array(out.buffer) };
}

function split(name: string): { module: string; local: string } | undefined {
  const module = MODULES.find((m) => name.startsWith(`${m}/`));
  return module && { module, local: name.slice(module.length + 1) };
}

const endsWithPart = (local: string, part: string) => local === part || local.endsWith(`.${part}`);

function qkvBase(local: string): string | undefined {
  const match = /^(.*?)[qkv]_proj_weight$/.exec(local);
  return match && (match[1] === '' || match[1]!.endsWith('.')) ? match[1] : undefined;
}

function isSquare(t: { shape: number[] } | undefined, d?: number): boolean {
  return t !== undefined && t.shape.length === 2 && t.shape[0] === t.shape[1] && (d === undefined || t.shape[0] === d);
}

/** Splits the trainer's state into a PyTorch state_dict and the rest. */
export function toTorchState(state: TensorState, batchesTracked: number): TorchSplit {
  const model: Record<string, SafetensorsTensor> = {};
  const other: TensorState = {};
  for (const [name, tensor] of Object.entries(state)) {
    const parts = split(name);
    if (!parts || endsWithPart(parts.local, IN_PROJ) || endsWithPart(parts.local, BATCHES_TRACKED)) {
      other[name] = tensor;
      continue;
    }
    const { module, local } = parts;
    const base = qkvBase(local);
    const trio = base !== undefined ? QKV.map((p) => state[`${module}/${base}${p}_proj_weight`]) : [];
    if (base !== undefined && trio[0] !== undefined && trio.every((t) => isSquare(t, trio[0]!.shape[0]))) {
      if (local === `${base}q_proj_weight`) {
        const d = tensor.shape[0]!;
        const inProj = new Uint32Array(3 * d * d);
        trio.forEach((t, i) => inProj.set(words(permute(t!.data, t!.shape, [1, 0]).data), i * d * d));
        model[`${module}.${base}${IN_PROJ}`] = { shape: [3 * d, d], data: new Float32Array(inProj.buffer) };
      }
      continue;
    }
    const rank = tensor.shape.length;
    if (rank <= 1) model[`${module}.${local}`] = tensor;
    else if (TO_TORCH[rank]) model[`${module}.${local}`] = permute(tensor.data, tensor.shape, TO_TORCH[rank]!);
    else {
      other[name] = tensor;
      continue;
    }
    if (endsWithPart(local, 'running_mean')) {
      model[`${module}.${local.slice(0, -'running_mean'.length)}${BATCHES_TRACKED}`] = { shape: [], data: BigInt64Array.of(BigInt(batchesTracked)) };
    }
  }
  return { model, other };
}

/** The inverse of toTorchState; throws naming a tensor it cannot place. */
export function fromTorchState(model: Record<string, SafetensorsTensor>, other: TensorState): TensorState {
  const state: TensorState = {};
  const put = (name: string, tensor: { shape: number[]; data: Float32Array }) => {
    if (name in state || name in other) throw new Error(`tensor '${name}' appears twice`);
    state[name] = tensor;
  };
  for (const [name, tensor] of Object.entries(model)) {
    const module = MODULES.find((m) => name.startsWith(`${m}.`));
    if (!module) throw new Error(`tensor '${name}': expected a name under ${MODULES.map((m) => `'${m}.'`).join(' or ')}`);
    const local = name.slice(module.length + 1);
    const rank = tensor.shape.length;
    if (endsWithPart(local, BATCHES_TRACKED)) {
      if (!(tensor.data instanceof BigInt64Array) || rank !== 0) throw new Error(`tensor '${name}': expected an int64 scalar`);
      continue;
    }
    if (!(tensor.data instanceof Float32Array)) throw new Error(`tensor '${name}': expected float32`);
    const data = tensor.data;
    if (endsWithPart(local, IN_PROJ)) {
      const d = tensor.shape[1]!;
      if (rank !== 2 || tensor.shape[0] !== 3 * d) throw new Error(`tensor '${name}': expected shape [3·D, D], got [${tensor.shape}]`);
      const base = local.slice(0, -IN_PROJ.length);
      QKV.forEach((p, i) => put(`${module}/${base}${p}_proj_weight`, permute(data.subarray(i * d * d, (i + 1) * d * d), [d, d], [1, 0])));
    } else if (rank <= 1) put(`${module}/${local}`, { shape: tensor.shape, data });
    else if (TO_TS[rank]) put(`${module}/${local}`, permute(data, tensor.shape, TO_TS[rank]!));
    else throw new Error(`tensor '${name}': rank ${rank} has no TS layout`);
  }
  for (const [name, tensor] of Object.entries(other)) state[name] = tensor;
  return state;
}
