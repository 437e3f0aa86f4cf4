// Turns tfjs's conv info (backend_util.computeConv2DInfo / computeConv3DInfo) into the addon's
// geometry, and says when the addon cannot take it (channels-first data, ceil rounding).
import type { backend_util } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from '../../../native/kernels.js';
import { record, type TfjsPad } from './recorder.js';

type ConvInfo = backend_util.Conv2DInfo | backend_util.Conv3DInfo;

function is3D(info: ConvInfo): info is backend_util.Conv3DInfo {
  return 'filterDepth' in info;
}

/** Channels-last shapes and per-dimension geometry; undefined when the addon cannot run it. */
export function convGeometry(info: ConvInfo): { xShape: number[]; filterShape: number[]; yShape: number[]; geometry: ConvGeometry } | undefined {
  if (info.dataFormat !== 'channelsLast') return undefined;
  const p = info.padInfo as backend_util.PadInfo3D;
  let geometry: ConvGeometry;
  let filterShape: number[];
  if (is3D(info)) {
    geometry = {
      strides: [info.strideDepth, info.strideHeight, info.strideWidth],
      dilations: [info.dilationDepth, info.dilationHeight, info.dilationWidth],
      padBefore: [p.front, p.top, p.left],
      padAfter: [p.back, p.bottom, p.right],
    };
    filterShape = [info.filterDepth, info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  } else {
    geometry = {
      strides: [info.strideHeight, info.strideWidth],
      dilations: [info.dilationHeight, info.dilationWidth],
      padBefore: [p.top, p.left],
      padAfter: [p.bottom, p.right],
    };
    filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  }
  const xShape = info.inShape.slice();
  const yShape = info.outShape.slice();
  const spatial = filterShape.length - 2;
  for (let i = 0; i < spatial; i++) {
    // oneDNN's output size is floor((in + pads - span) / stride) + 1; tfjs may round up instead.
    // (Negative pads, from tfjs's 3-D 'same' padding, crop the input: the addon handles them.)
    const span = (filterShape[i]! - 1) * geometry.dilations[i]! + 1;
    const padded = xShape[i + 1]! + geometry.padBefore[i]! + geometry.padAfter[i]!;
    if (padded < span) return undefined;
    if (Math.floor((padded - span) / geometry.strides[i]!) + 1 !== yShape[i + 1]) return undefined;
  }
  if (xShape.some((d) => d === 0) || yShape.some((d) => d === 0)) return undefined;
  return { xShape, filterShape, yShape, geometry };
}

export function recordConv(kernel: string, g: NonNullable<ReturnType<typeof convGeometry>>, pad: TfjsPad): void {
  record({ kind: 'conv', kernel, xShape: g.xShape, filterShape: g.filterShape, yShape: g.yShape, ...g.geometry, pad });
}
