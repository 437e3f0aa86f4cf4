// Backend 'cuda''s device kernels of the element-wise / reduction / softmax / layout family.
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { absDeviceConfig } from './Abs.js';
import { expDeviceConfig } from './Exp.js';
import { floorDeviceConfig } from './Floor.js';
import { logDeviceConfig } from './Log.js';
import { negDeviceConfig } from './Neg.js';
import { reluDeviceConfig } from './Relu.js';
import { rsqrtDeviceConfig } from './Rsqrt.js';
import { sigmoidDeviceConfig } from './Sigmoid.js';
import { sqrtDeviceConfig } from './Sqrt.js';
import { squareDeviceConfig } from './Square.js';
import { stepDeviceConfig } from './Step.js';
import { clipByValueDeviceConfig } from './ClipByValue.js';
import { zerosLikeDeviceConfig } from './ZerosLike.js';
import { fillDeviceConfig } from './Fill.js';
import { oneHotDeviceConfig } from './OneHot.js';
import { castDeviceConfig } from './Cast.js';
import { addDeviceConfig } from './Add.js';
import { subDeviceConfig } from './Sub.js';
import { multiplyDeviceConfig } from './Multiply.js';
import { realDivDeviceConfig } from './RealDiv.js';
import { maximumDeviceConfig } from './Maximum.js';
import { powDeviceConfig } from './Pow.js';
import { equalDeviceConfig } from './Equal.js';
import { lessDeviceConfig } from './Less.js';
import { addNDeviceConfig } from './AddN.js';
import { sumDeviceConfig } from './Sum.js';
import { meanDeviceConfig } from './Mean.js';
import { maxDeviceConfig } from './Max.js';
import { argMaxDeviceConfig } from './ArgMax.js';
import { softmaxDeviceConfig } from './Softmax.js';
import { concatDeviceConfig } from './Concat.js';
import { splitVDeviceConfig } from './SplitV.js';
import { transposeDeviceConfig } from './Transpose.js';

/** Every kernel of the family but Cast, which kernels.ts registers itself (castDeviceConfig). */
const MAKERS = [
  absDeviceConfig,
  expDeviceConfig,
  floorDeviceConfig,
  logDeviceConfig,
  negDeviceConfig,
  reluDeviceConfig,
  rsqrtDeviceConfig,
  sigmoidDeviceConfig,
  sqrtDeviceConfig,
  squareDeviceConfig,
  stepDeviceConfig,
  clipByValueDeviceConfig,
  zerosLikeDeviceConfig,
  fillDeviceConfig,
  oneHotDeviceConfig,
  addDeviceConfig,
  subDeviceConfig,
  multiplyDeviceConfig,
  realDivDeviceConfig,
  maximumDeviceConfig,
  powDeviceConfig,
  equalDeviceConfig,
  lessDeviceConfig,
  addNDeviceConfig,
  sumDeviceConfig,
  meanDeviceConfig,
  maxDeviceConfig,
  argMaxDeviceConfig,
  softmaxDeviceConfig,
  concatDeviceConfig,
  splitVDeviceConfig,
  transposeDeviceConfig,
];

/** The element-wise / reduction / layout device kernels for backend `backendName` (Cast: castDeviceConfig). */
export function elementwiseKernels(backendName: string): KernelConfig[] {
  return MAKERS.map((make) => make(backendName));
}

export { castDeviceConfig };
