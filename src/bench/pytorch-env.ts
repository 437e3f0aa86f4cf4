/**
 * The PyTorch baseline child's environment: our thread count (libgomp reads OMP_NUM_THREADS,
 * OpenBLAS OPENBLAS_NUM_THREADS first), and OpenBLAS left to pick the kernels for this CPU:
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, set on some machines, force another core's (Haswell's
 * AVX2 on an AVX-512 CPU).
 */
export function pytorchEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}
