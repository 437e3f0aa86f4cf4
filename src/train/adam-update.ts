// The Adam update as one op for a group of parameters: the current backend's MnfAdamUpdate kernel
// (src/backend/kernel-names.ts), or on a backend without one its composed twin (adam-composed.ts).
import { AdamUpdate, adamInputName, kernelsRegistered, type AdamUpdateAttrs } from '../backend/kernel-names.js';
import { tf } from '../tf.js';
import { adamUpdateComposed, type AdamHyper, type AdamSlotTensors, type AdamSlotUpdate } from './adam-composed.js';

export type { AdamHyper, AdamSlotTensors, AdamSlotUpdate } from './adam-composed.js';

/** The new value and moments of every parameter of the group (new tensors; the inputs are unchanged). */
export function adamUpdate(slots: AdamSlotTensors[], hyper: AdamHyper): AdamSlotUpdate[] {
  if (slots.length === 0) return [];
  if (!kernelsRegistered(AdamUpdate)) return adamUpdateComposed(slots, hyper);
  const inputs: Record<string, tf.Tensor> = {};
  slots.forEach((slot, i) => {
    for (const role of ['param', 'grad', 'm', 'v'] as const) inputs[adamInputName(role, i)] = slot[role];
    if (slot.out) {
      inputs[adamInputName('paramOut', i)] = slot.out.param;
      inputs[adamInputName('mOut', i)] = slot.out.m;
      inputs[adamInputName('vOut', i)] = slot.out.v;
    }
  });
  const attrs: AdamUpdateAttrs = { count: slots.length, ...hyper };
  const outputs = tf.engine().runKernel(AdamUpdate, inputs, attrs) as tf.Tensor[];
  return slots.map((_, i) => ({ param: outputs[3 * i]!, m: outputs[3 * i + 1]!, v: outputs[3 * i + 2]! }));
}
