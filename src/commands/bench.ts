// mnf-tui bench kernels|csc|decode|step [--json]: each benchmark lives in src/bench/<name>.ts,
// exports run(argv) and reports ratios against a baseline measured in the same run.
import { UsageError } from './args.js';
import { BENCH_NAMES } from './help.js';

export async function bench(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || !(BENCH_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`bench: expected one of ${BENCH_NAMES.join(', ')}, got '${name ?? ''}'`);
  }
  const module = (await import(`../bench/${name}.js`)) as { run(argv: string[]): Promise<number> };
  return module.run(rest);
}
