// Backends the model tests run on: tfjs's cpu always, the addon's 'native' when it loads.
import { addonProblem } from '../src/native/addon.js';
import { initBackend } from '../src/backend/select.js';
import { tf } from '../src/tf.js';

// libgomp's default spin-waiting makes every small native kernel slow when the cores are shared
// (several test workers, other processes); it is read once, when the addon loads.
process.env.OMP_WAIT_POLICY ??= 'passive';

export const TEST_BACKENDS: ('cpu' | 'native')[] = addonProblem() === undefined ? ['cpu', 'native'] : ['cpu'];
if (TEST_BACKENDS.length === 1) console.log(`native backend not tested: ${addonProblem()}`);

export async function useBackend(name: 'cpu' | 'native'): Promise<void> {
  await initBackend(name);
  if (tf.getBackend() !== name) throw new Error(`backend ${name} did not become current`);
}
