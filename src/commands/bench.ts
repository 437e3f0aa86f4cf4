// mnf-tui bench kernels|csc|decode|step|scale [--json]: each benchmark lives in src/bench/<name>.ts,
// exports run(argv) and reports ratios against a baseline measured in the same run.
import { UsageError } from './args.js';
import { BENCH_NAMES } from './help.js';

type BenchModule = { run(argv: string[]): Promise<number> };

// one literal import per benchmark, so that a bundler (the device kit's) finds each module
const BENCH_MODULES: Record<(typeof BENCH_NAMES)[number], () => Promise<BenchModule>> = {
  kernels: () => import('../bench/kernels.js'),
  csc: () => import('../bench/csc.js'),
  decode: () => import('../bench/decode.js'),
  step: () => import('../bench/step.js'),
  scale: () => import('../bench/scale.js'),
};

export async function bench(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || !(BENCH_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`bench: expected one of ${BENCH_NAMES.join(', ')}, got '${name ?? ''}'`);
  }
  const module = await BENCH_MODULES[name as (typeof BENCH_NAMES)[number]]();
  return module.run(rest);
}
