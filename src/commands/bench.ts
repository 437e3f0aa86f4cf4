// mnf-tui bench kernels|csc|decode|step [--json]: each benchmark lives in src/bench/<name>.ts,
// exports run(argv) and reports ratios against a baseline measured in the same run.
import { UsageError } from './args.js';

const BENCHES = ['kernels', 'csc', 'decode', 'step'] as const;

export async function bench(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || !(BENCHES as readonly string[]).includes(name)) {
    throw new UsageError(`bench: expected one of ${BENCHES.join(', ')}, got '${name ?? ''}'`);
  }
  const module = (await import(`../bench/${name}.js`)) as { run(argv: string[]): Promise<number> };
  return module.run(rest);
}
