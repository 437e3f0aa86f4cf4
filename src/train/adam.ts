// Adam with PyTorch's semantics (torch.optim.Adam, single-tensor path): L2 weight decay added
// to the gradient before the moments, bias corrections, eps outside the square root:
//   g ← g + wd·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + eps)
// A parameter without a gradient this step is skipped (PyTorch skips p.grad = None).
// On the host backends (cpu, native) each parameter's update is ONE kernel, a single loop over
// its values (kernel 'MnfAdamUpdate'); elsewhere it is composed from tfjs ops.
import type { KernelBackend, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../tf.js';
import type { TensorState } from './types.js';

export const ADAM_KERNEL = 'MnfAdamUpdate';
const HOST_BACKENDS = ['cpu', 'native'];

interface AdamAttrs extends NamedAttrMap {
  stepSize: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  bc2Sqrt: number;
}

function adamKernelFunc({ inputs, backend, attrs }: { inputs: unknown; backend: unknown; attrs?: unknown }): TensorInfo[] {
  const { param, grad, m, v } = inputs as Record<'param' | 'grad' | 'm' | 'v', TensorInfo>;
  const { stepSize, beta1, beta2, eps, weightDecay, bc2Sqrt } = attrs as AdamAttrs;
  const host = backend as KernelBackend;
  const read = (t: TensorInfo) => {
    const values = host.readSync(t.dataId);
    return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  };
  const [p0, g0, m0, v0] = [param, grad, m, v].map(read) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const n = p0.length;
  const [p1, m1, v1] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    const g = g0[i]! + weightDecay * p0[i]!;
    const mi = beta1 * m0[i]! + (1 - beta1) * g;
    const vi = beta2 * v0[i]! + (1 - beta2) * g * g;
    m1[i] = mi;
    v1[i] = vi;
    p1[i] = p0[i]! - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
  const out = (values: Float32Array): TensorInfo => ({ dataId: host.write(values, param.shape, 'float32'), shape: param.shape, dtype: 'float32' });
  return [out(p1), out(m1), out(v1)];
}

/** Registers the fused update for the current backend when it keeps tensors in host memory. */
function fusedAvailable(): boolean {
  const backendName = tf.getBackend();
  if (!HOST_BACKENDS.includes(backendName)) return false;
  if (!tf.getKernel(ADAM_KERNEL, backendName)) {
    tf.registerKernel({ kernelName: ADAM_KERNEL, backendName, kernelFunc: adamKernelFunc as KernelConfig['kernelFunc'] });
  }
  return true;
}

export interface AdamOptions {
  lr: number;
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** false forces the composed tfjs ops (default: the fused kernel on cpu/native) */
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
    const fused = this.fused && fusedAvailable();
    const attrs: AdamAttrs = { stepSize, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay, bc2Sqrt };
    tf.tidy(() => {
      for (const slot of this.slots) {
        const grad = grads[slot.param.name];
        if (!grad) continue;
        const [p, m, v] = fused
          ? (tf.engine().runKernel(ADAM_KERNEL, { param: slot.param, grad, m: slot.m, v: slot.v } as unknown as tf.NamedTensorMap, attrs) as tf.Tensor[])
          : this.composedUpdate(slot, grad, stepSize, bc2Sqrt);
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
      state[`${prefix}exp_avg/${slot.name}`] = { shape: slot.m.shape.slice(), data: slot.m.dataSync() as Float32Array };
      state[`${prefix}exp_avg_sq/${slot.name}`] = { shape: slot.v.shape.slice(), data: slot.v.dataSync() as Float32Array };
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
        tf.tidy(() => variable.assign(tf.tensor(entry.data, variable.shape, 'float32')));
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
