// Adam with PyTorch's semantics (torch.optim.Adam, single-tensor path): L2 weight decay added
// to the gradient before the moments, bias corrections, eps outside the square root:
//   g ← g + wd·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + eps)
// A parameter without a gradient this step is skipped (PyTorch skips p.grad = None).
// On the host backends (cpu, native: tensors are JS typed arrays) the update runs in place, one
// loop per parameter over its value, gradient and moment arrays: no allocation, no kernel
// launches. Elsewhere it is composed from tfjs ops. The variables updated in place are owned by
// this optimiser and the models; getState copies their arrays.
import type { KernelBackend } from '@tensorflow/tfjs-core';
import { tf } from '../tf.js';
import type { TensorState } from './types.js';

const HOST_BACKENDS = ['cpu', 'native'];

interface Hyper {
  stepSize: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  bc2Sqrt: number;
}

/** The backing Float32Array of a host-backend tensor, or undefined when it is stored otherwise. */
function hostArray(backend: KernelBackend, t: tf.Tensor): Float32Array | undefined {
  const values = backend.readSync(t.dataId);
  return values instanceof Float32Array ? values : undefined;
}

function updateInPlace(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: Hyper): void {
  const { stepSize, beta1, beta2, eps, weightDecay, bc2Sqrt } = h;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! + weightDecay * p[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i]! - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}

export interface AdamOptions {
  lr: number;
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** false forces the composed tfjs ops (default: in-place loops on cpu/native) */
  fused?: boolean;
}

interface Slot {
  name: string;
  param: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
}

export class Adam {
  lr: number;
  private stepCount = 0;
  private readonly slots: Slot[];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly fused: boolean;

  constructor(params: [string, tf.Variable][], opts: AdamOptions) {
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay;
    this.fused = opts.fused ?? true;
    this.slots = params.map(([name, param]) => ({
      name,
      param,
      m: tf.tidy(() => tf.variable(tf.zerosLike(param), false)),
      v: tf.tidy(() => tf.variable(tf.zerosLike(param), false)),
    }));
  }

  get steps(): number {
    return this.stepCount;
  }

  /** grads: by the variable's tfjs name (tf.variableGrads's result) */
  apply(grads: Record<string, tf.Tensor>): void {
    this.stepCount += 1;
    const t = this.stepCount;
    const stepSize = this.lr / (1 - this.beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - this.beta2 ** t);
    const hyper: Hyper = { stepSize, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay, bc2Sqrt };
    const host = this.fused && HOST_BACKENDS.includes(tf.getBackend()) ? (tf.backend() as KernelBackend) : undefined;
    tf.tidy(() => {
      for (const slot of this.slots) {
        const grad = grads[slot.param.name];
        if (!grad) continue;
        if (host) {
          const arrays = [slot.param, grad, slot.m, slot.v].map((t) => hostArray(host, t));
          if (arrays.every((a) => a !== undefined)) {
            updateInPlace(arrays[0]!, arrays[1]!, arrays[2]!, arrays[3]!, hyper);
            continue;
          }
        }
        const [p, m, v] = this.composedUpdate(slot, grad, stepSize, bc2Sqrt);
        slot.param.assign(p!);
        slot.m.assign(m!);
        slot.v.assign(v!);
      }
    });
  }

  private composedUpdate(slot: Slot, grad: tf.Tensor, stepSize: number, bc2Sqrt: number): tf.Tensor[] {
    const g = this.weightDecay !== 0 ? tf.add(grad, tf.mul(slot.param, this.weightDecay)) : grad;
    const m = tf.add(tf.mul(slot.m, this.beta1), tf.mul(g, 1 - this.beta1));
    const v = tf.add(tf.mul(slot.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
    const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), this.eps);
    return [tf.sub(slot.param, tf.mul(tf.div(m, denom), stepSize)), m, v];
  }

  getState(prefix: string): TensorState {
    const state: TensorState = { [`${prefix}step`]: { shape: [], data: Float32Array.of(this.stepCount) } };
    for (const slot of this.slots) {
      state[`${prefix}exp_avg/${slot.name}`] = { shape: slot.m.shape.slice(), data: Float32Array.from(slot.m.dataSync() as Float32Array) };
      state[`${prefix}exp_avg_sq/${slot.name}`] = { shape: slot.v.shape.slice(), data: Float32Array.from(slot.v.dataSync() as Float32Array) };
    }
    return state;
  }

  setState(state: TensorState, prefix: string): void {
    const step = state[`${prefix}step`];
    if (!step) throw new Error(`state has no '${prefix}step'`);
    for (const slot of this.slots) {
      for (const [key, variable] of [[`${prefix}exp_avg/${slot.name}`, slot.m], [`${prefix}exp_avg_sq/${slot.name}`, slot.v]] as const) {
        const entry = state[key];
        if (!entry) throw new Error(`state has no '${key}'`);
        if (entry.data.length !== variable.size) throw new Error(`'${key}': expected ${variable.size} values, got ${entry.data.length}`);
        tf.tidy(() => variable.assign(tf.tensor(Float32Array.from(entry.data), variable.shape, 'float32'))); // a copy: updated in place later
      }
    }
    this.stepCount = step.data[0]!;
  }

  dispose(): void {
    for (const slot of this.slots) {
      slot.m.dispose();
      slot.v.dispose();
    }
  }
}
