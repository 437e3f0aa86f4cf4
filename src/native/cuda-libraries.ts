// cuDNN, cuBLAS, cuBLASLt and NCCL as the addon found them with dlopen (native/device/cuda_libraries.cc):
// searched once per process in MNF_CUDA_LIBS, LD_LIBRARY_PATH, the CUDA toolkit's folders and Python
// site-packages/nvidia/*/lib.
import { loadAddon } from './addon.js';

export const CUDA_LIBRARY_NAMES = ['cudnn', 'cublas', 'cublasLt', 'nccl'] as const;
export type CudaLibraryName = (typeof CUDA_LIBRARY_NAMES)[number];

export interface CudaLibrary {
  found: boolean;
  /** the file loaded, when found */
  path?: string;
  /** "major.minor.patch" from the library's own call, when found; null when that call is missing or fails */
  version?: string | null;
  /** why the version is null, or why a file that exists did not load */
  problem?: string;
}

export interface CudaLibrariesReport {
  /** folders, in search order */
  searched: string[];
  libraries: Record<CudaLibraryName, CudaLibrary>;
}

export function cudaLibraries(): CudaLibrariesReport {
  return loadAddon().cudaLibraries();
}
