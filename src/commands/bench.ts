// mnf-tui bench kernels|csc|decode|step [--json]: each benchmark lives in src/bench/<name>.ts and
// reports ratios against a baseline measured in the same run.
import { UsageError } from './args.js';

const benches: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  kernels: () => import('../bench/kernels.js'),
  csc: () => import('../bench/csc.js'),
  decode: () => import('../bench/decode.js'),
  step: () => import('../bench/step.js'),
};

export async function bench(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name ? benches[name] : undefined;
  if (!load) throw new UsageError(`bench: expected one of ${Object.keys(benches).join(', ')}, got '${name ?? ''}'`);
  return (await load()).run(rest);
}
