// mnf-tui doctor [--json]: what this machine offers (backends, CUDA devices, oneDNN, threads).
import { addonPath, addonProblem } from '../native/addon.js';
import { CUDA_LIBRARY_NAMES, cudaLibraries, type CudaLibrariesReport, type CudaLibrary } from '../native/cuda-libraries.js';
import { deviceInfo, type DeviceInfo } from '../native/device.js';
import type { DeviceMemoryStats } from '../native/device-memory.js';
import { defaultThreads } from '../backend/select.js';
import { parseFlags } from './args.js';

interface Candidate {
  name: string;
  available: boolean;
  detail: string;
}

async function tensorflowCandidate(): Promise<Candidate> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      return { name: 'tensorflow', available: true, detail: `${pkg} loaded` };
    } catch {
      /* try the next package */
    }
  }
  return { name: 'tensorflow', available: false, detail: 'neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads' };
}

/** Backend cuda: can its device (MNF_CUDA_DEVICE, else the GPU) be opened, and what does it hold now. */
async function cudaCandidate(problem: string | undefined): Promise<Candidate & { device: string | null; memory: DeviceMemoryStats | null }> {
  if (problem !== undefined) return { name: 'cuda', available: false, detail: problem, device: null, memory: null };
  try {
    const { cudaDeviceKind } = await import('../backend/cuda/register.js');
    const { DeviceMemory } = await import('../native/device-memory.js');
    const device = new DeviceMemory(cudaDeviceKind());
    return { name: 'cuda', available: true, detail: `device ${device.name}`, device: device.name, memory: device.stats() };
  } catch (err) {
    return { name: 'cuda', available: false, detail: (err as Error).message.split('\n')[0]!, device: null, memory: null };
  }
}

/** Without the addon nothing was searched: every library is reported not found. */
function cudaLibrariesReport(problem: string | undefined): CudaLibrariesReport {
  if (problem === undefined) return cudaLibraries();
  const none: CudaLibrary = { found: false };
  return { searched: [], libraries: { cudnn: none, cublas: none, cublasLt: none, nccl: none } };
}

function cudaLibraryLine(name: string, library: CudaLibrary): string {
  if (!library.found) return `CUDA library ${name}: not found${library.problem ? ` (${library.problem})` : ''}`;
  const version = library.version ?? `version unknown: ${library.problem}`;
  return `CUDA library ${name}: ${version} (${library.path})`;
}

export async function doctor(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { json: { type: 'boolean' } });
  const problem = addonProblem();
  const device: DeviceInfo | undefined = problem === undefined ? deviceInfo() : undefined;
  const libraries = cudaLibrariesReport(problem);
  const report = {
    node: process.version,
    addon: { path: addonPath(), loaded: problem === undefined, problem: problem ?? null },
    backends: [
      await cudaCandidate(problem),
      await tensorflowCandidate(),
      { name: 'native', available: problem === undefined, detail: problem ?? `oneDNN ${device!.dnnlVersion}` },
      { name: 'cpu', available: true, detail: 'tfjs pure-JS kernels' },
    ],
    cuda: {
      built: device?.cudaBuilt ?? false,
      devices: (device?.devices ?? []).map((d) => ({ name: d.name, memoryGiB: +(d.totalMemory / 2 ** 30).toFixed(1), computeCapability: d.computeCapability })),
      reason: device ? device.cudaReason || null : 'addon not loaded',
      libraries: libraries.libraries,
      searched: libraries.searched,
    },
    oneDNN: device?.dnnlVersion ?? null,
    threads: defaultThreads(),
    cores: device?.cores ?? null,
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `node ${report.node}`,
    `addon: ${report.addon.loaded ? report.addon.path : report.addon.problem}`,
    ...report.backends.map((b) => `backend ${b.name}: ${b.available ? 'available' : 'unavailable'} (${b.detail})`),
    `CUDA: ${report.cuda.built ? 'built' : 'not built'}; ` +
      (report.cuda.devices.length ? report.cuda.devices.map((d) => `${d.name} ${d.memoryGiB} GiB`).join(', ') : `no device: ${report.cuda.reason}`),
    ...CUDA_LIBRARY_NAMES.map((name) => cudaLibraryLine(name, report.cuda.libraries[name])),
    `threads: ${report.threads} of ${report.cores ?? '?'} cores`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
