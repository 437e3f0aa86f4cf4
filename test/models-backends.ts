// Backends the model tests run on: tfjs's cpu always; the addon's 'native', and 'cuda' on the
// emulated device (host memory), when the addon loads.
import { addonProblem } from '../src/native/addon.js';
import { initBackend } from '../src/backend/select.js';
import { tf } from '../src/tf.js';

// libgomp's default spin-waiting makes every small native kernel slow when the cores are shared
// (several test workers, other processes); it is read once, when the addon loads.
process.env.OMP_WAIT_POLICY ??= 'passive';

export type TestBackend = 'cpu' | 'native' | 'cuda';

export const TEST_BACKENDS: TestBackend[] = addonProblem() === undefined ? ['cpu', 'native', 'cuda'] : ['cpu'];
if (TEST_BACKENDS.length === 1) console.log(`native and cuda backends not tested: ${addonProblem()}`);

export async function useBackend(name: TestBackend): Promise<void> {
  await initBackend(name, name === 'cuda' ? { device: 'emulated' } : {});
  if (tf.getBackend() !== name) throw new Error(`backend ${name} did not become current`);
}
