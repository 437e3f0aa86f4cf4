// Named weights of a model: trainable parameters and buffers (BatchNorm running statistics).
// Names follow the PyTorch reference's state_dict keys; layouts are tfjs's (see layers/).
import { tf } from '../tf.js';
import type { TensorState } from '../train/types.js';
import { Rng } from '../rng.js';

export class ParamStore {
  readonly params = new Map<string, tf.Variable>();
  readonly buffers = new Map<string, tf.Variable>();
  readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  param(name: string, shape: number[], values: Float32Array): tf.Variable {
    return this.add(this.params, name, shape, values, true);
  }

  buffer(name: string, shape: number[], values: Float32Array): tf.Variable {
    return this.add(this.buffers, name, shape, values, false);
  }

  private add(map: Map<string, tf.Variable>, name: string, shape: number[], values: Float32Array, trainable: boolean): tf.Variable {
    if (this.params.has(name) || this.buffers.has(name)) throw new Error(`duplicate weight name '${name}'`);
    const initial = tf.tensor(values, shape, 'float32');
    const variable = tf.variable(initial, trainable);
    initial.dispose();
    map.set(name, variable);
    return variable;
  }

  /** trainable variables in registration order */
  trainable(): tf.Variable[] {
    return [...this.params.values()];
  }

  getState(prefix = ''): TensorState {
    const state: TensorState = {};
    for (const map of [this.params, this.buffers]) {
      for (const [name, v] of map) state[prefix + name] = { shape: v.shape.slice(), data: Float32Array.from(v.dataSync() as Float32Array) }; // a copy: host backends' dataSync is the tensor's own array
    }
    return state;
  }

  /** Loads every weight of this store from state (keys prefix + name); throws naming a missing or mis-shaped one. */
  setState(state: TensorState, prefix = ''): void {
    for (const map of [this.params, this.buffers]) {
      for (const [name, v] of map) {
        const entry = state[prefix + name];
        if (!entry) throw new Error(`state has no weight '${prefix + name}'`);
        if (entry.shape.length !== v.shape.length || entry.shape.some((d, i) => d !== v.shape[i])) {
          throw new Error(`weight '${prefix + name}': expected shape [${v.shape}], got [${entry.shape}]`);
        }
        tf.tidy(() => v.assign(tf.tensor(Float32Array.from(entry.data), v.shape, 'float32'))); // a copy: tf.tensor keeps the array it is given
      }
    }
  }

  dispose(): void {
    for (const map of [this.params, this.buffers]) {
      for (const v of map.values()) v.dispose();
      map.clear();
    }
  }
}
