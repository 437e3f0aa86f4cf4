// Adam with PyTorch's semantics (torch.optim.Adam, single-tensor path): L2 weight decay added
// to the gradient before the moments, bias corrections, eps outside the square root (the formula:
// adam-composed.ts). A parameter without a gradient this step is skipped (PyTorch skips
// p.grad = None). One adamUpdate op per step updates every parameter that has a gradient; the
// variables change only by assigning its outputs. The values they replace are kept as the next
// step's out buffers (ping-pong), so a host backend allocates no parameter-sized arrays a step.
import { tf } from '../tf.js';
import { adamUpdate, type AdamHyper } from './adam-update.js';
import { heldOnlyHere } from './tensor-refs.js';
import type { TensorState } from './types.js';

export interface AdamOptions {
  lr: number;
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

interface Slot {
  name: string;
  param: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  /** the values the last step replaced: the next step's out buffers while nothing else holds them */
  retired?: { param: tf.Tensor; m: tf.Tensor; v: tf.Tensor };
}


export class Adam {
  lr: number;
  private stepCount = 0;
  private readonly slots: Slot[];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;

  constructor(params: [string, tf.Variable][], opts: AdamOptions) {
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay;
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
    const hyper: AdamHyper = {
      stepSize: this.lr / (1 - this.beta1 ** t),
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      weightDecay: this.weightDecay,
      bc2Sqrt: Math.sqrt(1 - this.beta2 ** t),
    };
    const stepped = this.slots.filter((slot) => grads[slot.param.name] !== undefined);
    for (const slot of stepped) {
      const grad = grads[slot.param.name]!;
      if (!tf.util.arraysEqual(grad.shape, slot.param.shape)) {
        throw new Error(`Adam: the gradient of '${slot.name}' has shape [${grad.shape}], the parameter [${slot.param.shape}]`);
      }
    }
    const outs = stepped.map((slot) => {
      const r = slot.retired;
      return r && heldOnlyHere(r.param) && heldOnlyHere(r.m) && heldOnlyHere(r.v) ? r : undefined;
    });
    tf.tidy(() => {
      const updated = adamUpdate(stepped.map((slot, i) => ({ param: slot.param, grad: grads[slot.param.name]!, m: slot.m, v: slot.v, out: outs[i] })), hyper);
      updated.forEach(({ param, m, v }, i) => {
        const slot = stepped[i]!;
        const replaced = { param: tf.keep(tf.clone(slot.param)), m: tf.keep(tf.clone(slot.m)), v: tf.keep(tf.clone(slot.v)) };
        slot.param.assign(param);
        slot.m.assign(m);
        slot.v.assign(v);
        // the out buffers (when used) now belong to the variables; the replaced values wait for the next step
        if (slot.retired) tf.dispose([slot.retired.param, slot.retired.m, slot.retired.v]);
        slot.retired = replaced;
      });
    });
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
        tf.tidy(() => variable.assign(tf.tensor(Float32Array.from(entry.data), variable.shape, 'float32'))); // a copy: tf.tensor keeps the array it is given
      }
    }
    this.stepCount = step.data[0]!;
  }

  dispose(): void {
    for (const slot of this.slots) {
      slot.m.dispose();
      slot.v.dispose();
      if (slot.retired) tf.dispose([slot.retired.param, slot.retired.m, slot.retired.v]);
    }
  }
}
