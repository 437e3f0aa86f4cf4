// MnfAdamUpdate on 'native': the host kernel (src/backend/kernels/MnfAdamUpdate.ts) with the addon's
// threaded loop, which computes what the JS loop computes (double, each output rounded once).
import { adamUpdate } from '../../../native/kernels.js';
import { adamUpdateKernel } from '../../kernels/MnfAdamUpdate.js';

export const nativeAdamUpdateConfig = adamUpdateKernel((p, g, m, v, h, pOut, mOut, vOut) => adamUpdate(p, g, m, v, pOut, mOut, vOut, h));
